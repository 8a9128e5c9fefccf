/**
 * Registers every rtc-gadgets tag. Guarded: loading it twice (or beside the bundle) is harmless,
 * which matters in RenderJS public sandboxes where scripts share one window
 * (docs/jio-compatibility.md "RenderJS and ERP5 embedding").
 */
import { RtcMaster } from './elements/rtc-master.js';
import { RtcSlave } from './elements/rtc-slave.js';
import { RtcStatus } from './elements/rtc-status.js';
import { RtcQueryForm } from './elements/rtc-query-form.js';
import { RtcFileShare } from './elements/rtc-file-share.js';

const tags: [string, CustomElementConstructor][] = [
  ['rtc-master', RtcMaster],
  ['rtc-slave', RtcSlave],
  ['rtc-status', RtcStatus],
  ['rtc-query-form', RtcQueryForm],
  ['rtc-file-share', RtcFileShare],
];

for (const [tag, element] of tags) {
  if (!customElements.get(tag)) customElements.define(tag, element);
}

declare global {
  interface HTMLElementTagNameMap {
    'rtc-master': RtcMaster;
    'rtc-slave': RtcSlave;
    'rtc-status': RtcStatus;
    'rtc-query-form': RtcQueryForm;
    'rtc-file-share': RtcFileShare;
  }
}

export { RtcMaster, RtcSlave, RtcStatus, RtcQueryForm, RtcFileShare };
