/**
 * rtc-gadgets: the element classes and modules, with no side effects (register the tags with
 * `rtc-gadgets/define.js`). See README.md and docs/ for the public interface.
 */
export { RtcMaster } from './elements/rtc-master.js';
export { RtcSlave } from './elements/rtc-slave.js';
export { RtcStatus } from './elements/rtc-status.js';
export { RtcQueryForm } from './elements/query-form/rtc-query-form.js';
export { RtcFileShare } from './elements/rtc-file-share.js';
export { RtcChat, RtcChatMessageEvent } from './elements/rtc-chat.js';
export { RtcBackup } from './elements/rtc-backup.js';
export { RtcReplicate, type SyncResult, type SyncState } from './elements/rtc-replicate.js';
export { RtcOffline, type OfflineState, type OfflineNotice } from './offline/rtc-offline.js';
export { RtcSite } from './elements/rtc-site.js';
// Serving a site from the database (docs/site.md): the ways of serving, to add one or choose.
export { chooseSiteServer, siteServerFactories, type ServeMode, type SiteServerFactory } from './site/choose-server.js';
export type { SiteFileSource, SiteResponse, SiteServer } from './site/types.js';
// The `rtc` jIO storage, for a jIO loaded after this bundle (docs/jio-storage.md).
export { registerRtcStorage } from './jio/register.js';
export type { AttachmentInfo, AttachmentFormat, GetAttachmentOptions, TransferOptions } from './api.js';
export type { BackupManifest, BackupPhase, BackupProgress, ExportOptions, ImportOptions, ImportResult } from './api.js';
export { DatabaseElement } from './elements/database-element.js';
export * from './events/events.js';
export type { ConnectionState, PeerInfo } from './session/types.js';
export type { AllDocsOptions, AllDocsResult, DatabaseApi, Doc, Row, MethodName } from './api.js';
export { ALL_METHODS, READ_METHODS, WRITE_METHODS, METHOD_PARAMS } from './methods.js';
export { RtcError, type ErrorShape } from './errors.js';
export { Database } from './storage/database.js';
export { FramedChannel, type FramedChannelOptions } from './channel/framed-channel.js';
export { PortEndpoint, type ChannelEndpoint } from './channel/endpoint.js';
export { RpcClient } from './channel/rpc-client.js';
export { serveRpc, type RpcServerOptions } from './channel/rpc-server.js';
export { RemoteDatabase } from './channel/remote-database.js';
export { PROTOCOL_VERSION } from './channel/envelope.js';
export * from './query.js';
// Pairing tokens (signaling="manual"), for pages that carry them another way (NFC, chat, a file).
export { encodeToken, decodeToken, groupToken, TOKEN_VERSION, type TokenKind, type TokenInfo } from './signaling/token.js';
// <rtc-site>'s Service Worker path (docs/site.md "The Service Worker path").
export { startServiceWorkerServer, SW_FRAME_SANDBOX, type ServiceWorkerServerOptions } from './site/sw/index.js';
// The pages' language (README "Theme and languages").
export { getLocale, localeReady, matchLocale, type Locale } from './i18n/locale.js';
