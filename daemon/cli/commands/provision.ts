// `idkiosk provision …` lives in provisioning/ (the technician's tool); this is its registry entry.
export { default } from '../../../provisioning/cli.ts';
