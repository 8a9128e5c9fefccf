/**
 * Reads a QR code from the camera with the browser's own `BarcodeDetector` (Shape Detection API).
 * Offered only where it can work: a secure context (camera access needs HTTPS or localhost;
 * LAN pages over plain http have no `getUserMedia`, docs/architecture.md "Design rules"),
 * `BarcodeDetector` present (Chromium on Android, ChromeOS and macOS; not on Linux or Windows
 * desktops) and a camera API. Elsewhere a photo of the code (qr-photo.ts) or the paste box is the way in.
 */

interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: HTMLVideoElement): Promise<DetectedBarcode[]>;
}
interface BarcodeDetectorClass {
  new (options?: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats?(): Promise<string[]>;
}

function detectorClass(): BarcodeDetectorClass | null {
  const ctor = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
  return typeof ctor === 'function' ? ctor : null;
}

/** True when camera scanning can be offered on this page. */
export function canScanQr(): boolean {
  return globalThis.isSecureContext === true
    && detectorClass() !== null
    && typeof navigator !== 'undefined'
    && typeof navigator.mediaDevices?.getUserMedia === 'function';
}

/** One scanning session: the camera plays in `video` until a QR code is read or `stop()`. */
export class QrScanner {
  private stream: MediaStream | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  /**
   * Starts the camera in `video` and resolves with the text of the first QR code it sees.
   * @throws Error when there is no camera, access is denied, or QR codes are not supported.
   */
  async scan(video: HTMLVideoElement): Promise<string> {
    const Detector = detectorClass();
    if (!Detector) throw new Error('This browser cannot read QR codes');
    const formats = (await Detector.getSupportedFormats?.()) ?? ['qr_code'];
    if (!formats.includes('qr_code')) throw new Error('This browser cannot read QR codes');
    const detector = new Detector({ formats: ['qr_code'] });
    this.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    if (this.stopped) {
      this.release();
      throw new Error('Scanning stopped');
    }
    video.srcObject = this.stream;
    video.setAttribute('playsinline', '');
    video.muted = true;
    await video.play();
    return new Promise<string>((resolve, reject) => {
      const tick = async (): Promise<void> => {
        if (this.stopped) {
          reject(new Error('Scanning stopped'));
          return;
        }
        try {
          const found = await detector.detect(video);
          const text = found.find((b) => b.rawValue)?.rawValue;
          if (text) {
            this.stop();
            resolve(text);
            return;
          }
        } catch {
          // a frame that could not be read: try the next one
        }
        this.timer = setTimeout(() => void tick(), 200);
      };
      void tick();
    });
  }

  /** Stops the camera. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.release();
  }

  private release(): void {
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
  }
}
