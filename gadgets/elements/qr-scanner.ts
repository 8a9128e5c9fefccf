/**
 * Reads a QR code from the camera with the browser's own `BarcodeDetector` (Shape Detection API),
 * or where it is missing (Linux and Windows desktops, Firefox) from video frames drawn to a canvas
 * and decoded by the `qr` package. Offered only where it can work: a secure context (camera access
 * needs HTTPS or localhost; LAN pages over plain http have no `getUserMedia`, docs/architecture.md
 * "Design rules", README "HTTPS on the LAN"), a camera API, and `BarcodeDetector` or a camera that
 * `enumerateDevices` lists. Elsewhere a photo of the code (qr-photo.ts) or the paste box is the way in.
 */
import decodeQR from 'qr/decode.js';

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

/** Whether a camera was listed; asked once, so the first answer is false until it resolves. */
let camera: boolean | undefined;

function cameraListed(): boolean {
  if (camera === undefined) {
    camera = false;
    navigator.mediaDevices.enumerateDevices?.().then((devices) => {
      camera = devices.some((d) => d.kind === 'videoinput');
    }, () => {});
  }
  return camera;
}

/** Decodes video frames with `qr` where there is no `BarcodeDetector`: a miss throws (next frame). */
function frameDetector(): BarcodeDetectorLike {
  const canvas = document.createElement('canvas');
  return {
    detect(video) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const context = canvas.getContext('2d', { willReadFrequently: true })!;
      context.drawImage(video, 0, 0);
      return Promise.resolve([{ rawValue: decodeQR(context.getImageData(0, 0, canvas.width, canvas.height)) }]);
    },
  };
}

/** True when camera scanning can be offered on this page. */
export function canScanQr(): boolean {
  return globalThis.isSecureContext === true
    && typeof navigator !== 'undefined'
    && typeof navigator.mediaDevices?.getUserMedia === 'function'
    && (detectorClass() !== null || cameraListed());
}

/** One scanning session: the camera plays in `video` until a QR code is read or `stop()`. */
export class QrScanner {
  private stream: MediaStream | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  /**
   * Starts the camera in `video` and resolves with the text of the first QR code it sees.
   * @throws Error when there is no camera or access is denied.
   */
  async scan(video: HTMLVideoElement): Promise<string> {
    const Detector = detectorClass();
    const formats = (await Detector?.getSupportedFormats?.()) ?? ['qr_code'];
    const detector = Detector && formats.includes('qr_code') ? new Detector({ formats: ['qr_code'] }) : frameDetector();
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
