/**
 * Types for the encoder of the `qrcode` package, imported directly (`qrcode/lib/core/qrcode.js`)
 * so that bundles take only the encoder, not its Node or canvas renderers. It is CommonJS: the
 * default import is its `module.exports`.
 */
declare module 'qrcode/lib/core/qrcode.js' {
  import type { QRCode, QRCodeOptions, QRCodeSegment } from 'qrcode';
  const core: { create(text: string | QRCodeSegment[], options?: QRCodeOptions): QRCode };
  export default core;
}
