/*
 * demo/erp5.html's root gadget. It plays the part of ERP5's erp5_gadgetfield.js (the classic form
 * page): it provides the acquisitions an ERP5 form provides (and lists every call), renders every
 * GadgetField gadget with {...renderjs_extra, key, value, editable}, and on submit asks each
 * editable gadget checkValidity() and getContent() and shows the fields the form would post.
 * It runs on rtc-gadgets' RenderJS TEST HARNESS (see the page), not on Nexedi's RenderJS.
 */
/*global window, document, rJS, RSVP */
/*jslint indent: 2, maxlen: 100 */
(function (window, document, rJS, RSVP) {
  'use strict';

  function log(name, scope, detail) {
    var item = document.createElement('li'),
      text = name + (scope ? ' from ' + scope : '');
    if (detail !== undefined && detail !== null && detail !== '') {
      text += ': ' + ((detail && detail.message) || (typeof detail === 'string' ? detail :
        JSON.stringify(detail)));
    }
    item.textContent = new Date().toLocaleTimeString() + ' · ' + text;
    document.getElementById('log').appendChild(item);
  }

  function fieldList(gadget) {
    var list = gadget.element.querySelectorAll('[data-gadget-url][data-gadget-scope]'),
      result = [],
      i;
    for (i = 0; i < list.length; i += 1) {
      result.push({
        scope: list[i].getAttribute('data-gadget-scope'),
        key: list[i].getAttribute('data-gadget-editable'),
        editable: list[i].getAttribute('data-gadget-editable') !== null,
        value: list[i].getAttribute('data-gadget-value'),
        extra: list[i].getAttribute('data-gadget-renderjs-extra') || '{}'
      });
    }
    return result;
  }

  rJS(window)
    .allowPublicAcquisition('reportGadgetDeclarationError', function (argument_list, scope) {
      log('reportGadgetDeclarationError', scope, argument_list[0]);
    })
    .allowPublicAcquisition('reportServiceError', function (argument_list, scope) {
      log('reportServiceError', scope, argument_list[0]);
    })
    .allowPublicAcquisition('notifyChange', function (argument_list, scope) {
      window.changed = true; // what ERP5 uses to warn about unsaved changes
      log('notifyChange', scope);
    })
    .allowPublicAcquisition('notifyValid', function (argument_list, scope) {
      log('notifyValid', scope);
    })
    .allowPublicAcquisition('notifyInvalid', function (argument_list, scope) {
      log('notifyInvalid', scope, argument_list[0]);
    })

    // Render every gadget field, as erp5_gadgetfield.js does.
    .declareService(function () {
      var gadget = this;
      return RSVP.all(fieldList(gadget).map(function (field) {
        return gadget.getDeclaredGadget(field.scope)
          .push(function (field_gadget) {
            var options = JSON.parse(field.extra);
            options.key = field.key;
            options.value = field.value;
            options.editable = field.editable;
            // ERP5 passes the user's language (Localizer's get_selected_language()); here, the page's.
            options.language = options.language || document.documentElement.lang;
            return field_gadget.render(options);
          })
          .push(undefined, function (error) {
            log('render failed', field.scope, error);
          });
      }))
        .then(function () {
          // Bind <rtc-replicate> to the master gadget's <rtc-master> (a public sandbox: same document).
          var master = gadget.element.querySelector('[data-gadget-scope="field_my_master_record"] rtc-master'),
            sync = document.getElementById('erp5_sync');
          if (master && sync) {
            master.id = master.id || 'erp5_master_db';
            sync.setAttribute('for', master.id);
          }
        });
    })

    // Submit: checkValidity() then getContent() on every editable gadget.
    .onEvent('submit', function () {
      var gadget = this,
        output = document.getElementById('submitted'),
        editable = fieldList(gadget).filter(function (field) {
          return field.editable;
        });
      output.textContent = 'Submitting…';
      return new RSVP.Queue()
        .push(function () {
          return RSVP.all(editable.map(function (field) {
            return gadget.getDeclaredGadget(field.scope);
          }));
        })
        .push(function (gadget_list) {
          return RSVP.all(gadget_list.map(function (field_gadget) {
            return field_gadget.checkValidity()
              .push(function (valid) {
                return field_gadget.getContent().push(function (content) {
                  return {valid: valid, content: content};
                });
              });
          }));
        })
        .push(function (result_list) {
          var posted = {},
            invalid = [];
          result_list.forEach(function (result, i) {
            Object.keys(result.content).forEach(function (name) {
              posted[name] = result.content[name];
            });
            if (!result.valid) {
              invalid.push(editable[i].scope);
            }
          });
          output.textContent = (invalid.length ? 'Not valid: ' + invalid.join(', ') + '\n' : '') +
            'getContent() → the form would post ' + JSON.stringify(posted, null, 2);
        }, function (error) {
          output.textContent = 'Submit failed: ' + (error && error.message);
        });
    }, false, true);
}(window, document, rJS, RSVP));
