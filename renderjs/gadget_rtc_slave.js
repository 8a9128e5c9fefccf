/*
 * gadget_rtc_slave.html: <rtc-slave> as a RenderJS gadget (render/getContent/checkValidity and
 * the jIO methods, run on the master over WebRTC). The shared code is gadget_rtc_wrapper.js.
 */
/*global window, rJS, RtcGadgetsRenderJS */
/*jslint indent: 2, maxlen: 100 */
(function (window, rJS, RtcGadgetsRenderJS) {
  'use strict';

  RtcGadgetsRenderJS.declare(rJS(window), {
    tag: 'rtc-slave',
    // renderjs_extra options set as the element's attributes of the same name
    attribute_list: ['room', 'signaling', 'timeout'],
    needs_indexeddb: false
  });
}(window, rJS, RtcGadgetsRenderJS));
