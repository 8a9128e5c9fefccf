/**
 * The part of the `qrcode` package's Node entry that the CLI uses. Declared here because
 * `@types/qrcode` also describes the canvas API, which needs the DOM library that the
 * broadcaster (Node only) does not load.
 */
declare module 'qrcode/lib/server.js' {
  export function toString(
    text: string,
    options: { type: 'terminal' | 'utf8' | 'svg'; small?: boolean; errorCorrectionLevel?: 'L' | 'M' | 'Q' | 'H' },
  ): Promise<string>;
}
