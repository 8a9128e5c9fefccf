/**
 * The database API of a slave: every call goes to the master over the data channel through an
 * `RpcClient`. Arguments are checked here first with the master's own rules, so an obviously
 * bad call fails at once with 400 instead of after a round trip. Writes carry an idempotency key.
 */
import type { AllDocsOptions, AllDocsResult, AttachmentInfo, BulkEntry, DatabaseApi, Doc, GetAttachmentOptions, TransferOptions } from '../api.js';
import { validateAllDocsOptions, validateAttachmentName, validateBulk, validateDoc, validateId } from '../storage/validate.js';
import type { RpcClient } from './rpc-client.js';
import { downloadAttachment, uploadAttachment } from './transfers.js';

export class RemoteDatabase implements DatabaseApi {
  constructor(private readonly rpc: RpcClient) {}

  /** One `bulkPut` request (one transaction on the master); resolves to the ids in order. */
  async bulkPut(entries: BulkEntry[]): Promise<string[]> {
    validateBulk(entries, Infinity);
    return this.rpc.call<string[]>('bulkPut', [entries], true);
  }

  async post(doc: Doc): Promise<string> {
    validateDoc(doc, 'post');
    return this.rpc.call<string>('post', [doc], true);
  }

  async put(id: string, doc: Doc): Promise<string> {
    validateId(id, 'put');
    validateDoc(doc, 'put');
    return this.rpc.call<string>('put', [id, doc], true);
  }

  async get(id: string): Promise<Doc> {
    validateId(id, 'get');
    return this.rpc.call<Doc>('get', [id]);
  }

  async remove(id: string): Promise<string> {
    validateId(id, 'remove');
    return this.rpc.call<string>('remove', [id], true);
  }

  async allDocs(options: AllDocsOptions = {}): Promise<AllDocsResult> {
    validateAllDocsOptions(options);
    return this.rpc.call<AllDocsResult>('allDocs', [options]);
  }

  /** Streams the Blob to the master (transfers.ts), resuming after a lost channel. */
  async putAttachment(id: string, name: string, blob: Blob | string, options?: TransferOptions): Promise<void> {
    return uploadAttachment(this.rpc, id, name, blob, options);
  }

  /** Streams the bytes from the master (transfers.ts) into a Blob of parts. */
  async getAttachment(id: string, name: string, options?: GetAttachmentOptions & TransferOptions): Promise<unknown> {
    return downloadAttachment(this.rpc, id, name, options);
  }

  async removeAttachment(id: string, name: string): Promise<void> {
    validateId(id, 'removeAttachment');
    validateAttachmentName(name, 'removeAttachment');
    await this.rpc.call('removeAttachment', [id, name], true);
  }

  async allAttachments(id: string): Promise<Record<string, AttachmentInfo>> {
    validateId(id, 'allAttachments');
    return this.rpc.call<Record<string, AttachmentInfo>>('allAttachments', [id]);
  }
}
