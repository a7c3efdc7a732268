// The virtual receipt printer: strict ESC/POS interpreter, paper model, SVG and transcript rendering.
export { VirtualPrinter, type VirtualPrinterOptions } from './virtual-printer.ts';
export { EscPosParser, type Op } from './parser.ts';
export { transcript, type PrintedReceipt, type PaperItem } from './document.ts';
export { renderSvg } from './svg.ts';
export { attachVirtualPrinter, type AttachedPrinter } from './attach-serial.ts';
