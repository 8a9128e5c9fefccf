/**
 * The database API of a slave: every call goes to the master over the data channel through an
 * `RpcClient`. Arguments are checked here first with the master's own rules, so an obviously
 * bad call fails at once with 400 instead of after a round trip. Writes carry an idempotency key.
 */
import type { AllDocsOptions, AllDocsResult, BulkEntry, DatabaseApi, Doc } from '../api.js';
import { validateAllDocsOptions, validateBulk, validateDoc, validateId } from '../storage/validate.js';
import type { RpcClient } from './rpc-client.js';

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
}
