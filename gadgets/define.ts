/**
 * Registers every rtc-gadgets tag. Guarded: loading it twice (or beside the bundle) is harmless,
 * which matters in RenderJS public sandboxes where scripts share one window
 * (docs/jio-compatibility.md "RenderJS and ERP5 embedding").
 */
import { RtcMaster } from './elements/rtc-master.js';
import { RtcSlave } from './elements/rtc-slave.js';
import { RtcStatus } from './elements/rtc-status.js';
import { RtcQueryForm } from './elements/query-form/rtc-query-form.js';
import { RtcFileShare } from './elements/rtc-file-share.js';
import { RtcChat } from './elements/rtc-chat.js';
import { RtcBackup } from './elements/rtc-backup.js';
import { RtcReplicate } from './elements/rtc-replicate.js';
import { RtcOffline } from './offline/rtc-offline.js';
import { RtcSite } from './elements/rtc-site.js';
import { registerRtcStorage } from './jio/register.js';

const tags: [string, CustomElementConstructor][] = [
  ['rtc-master', RtcMaster],
  ['rtc-slave', RtcSlave],
  ['rtc-status', RtcStatus],
  ['rtc-query-form', RtcQueryForm],
  ['rtc-file-share', RtcFileShare],
  ['rtc-chat', RtcChat],
  ['rtc-backup', RtcBackup],
  ['rtc-replicate', RtcReplicate],
  ['rtc-offline', RtcOffline],
  ['rtc-site', RtcSite],
];

// Each element module declares its own HTMLElementTagNameMap entry.
for (const [tag, element] of tags) {
  if (!customElements.get(tag)) customElements.define(tag, element);
}

// With jIO on the page (an ERP5/OfficeJS page), `rtc` becomes a jIO storage (docs/jio-storage.md).
registerRtcStorage();

export { RtcMaster, RtcSlave, RtcStatus, RtcQueryForm, RtcFileShare, RtcChat, RtcBackup, RtcReplicate, RtcOffline, RtcSite };
