/*
 * gadget_rtc_master.html: <rtc-master> as a RenderJS gadget (render/getContent/checkValidity and
 * the jIO methods, run on this browser's IndexedDB). The shared code is gadget_rtc_wrapper.js.
 */
/*global window, rJS, RtcGadgetsRenderJS */
/*jslint indent: 2, maxlen: 100 */
(function (window, rJS, RtcGadgetsRenderJS) {
  'use strict';

  RtcGadgetsRenderJS.declare(rJS(window), {
    tag: 'rtc-master',
    // renderjs_extra options set as the element's attributes of the same name
    attribute_list: ['database', 'room', 'signaling', 'allow'],
    // a master without IndexedDB (e.g. in a dataurl sandbox) is a fatal error
    needs_indexeddb: true
  });
}(window, rJS, RtcGadgetsRenderJS));
