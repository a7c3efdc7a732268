// Puts the virtual printer on a serial device (one end of a socat PTY pair in tests and the demo): host
// bytes from the port go into the printer, its replies go back out.
import { SerialPort } from 'serialport';
import { VirtualPrinter, type VirtualPrinterOptions } from './virtual-printer.ts';

export interface AttachedPrinter {
  printer: VirtualPrinter;
  close(): Promise<void>;
}

export async function attachVirtualPrinter(
  path: string,
  opts: VirtualPrinterOptions & { baudRate?: number; printer?: VirtualPrinter } = {},
): Promise<AttachedPrinter> {
  const printer = opts.printer ?? new VirtualPrinter(opts);
  const port = new SerialPort({ path, baudRate: opts.baudRate ?? 38400, autoOpen: false });
  await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
  printer.attach((d) => {
    if (port.isOpen) port.write(d);
  });
  port.on('data', (d: Buffer) => printer.receive(d));
  port.on('error', () => {});
  return {
    printer,
    close: () =>
      new Promise<void>((res) => {
        printer.attach(() => {});
        if (!port.isOpen) return res();
        port.close(() => res());
      }),
  };
}
