/*
 * rtc-gadgets RenderJS wrappers, shared part: what gadget_rtc_master.html and gadget_rtc_slave.html
 * declare on their gadget class (docs/jio-compatibility.md "RenderJS and ERP5 embedding"). Classic
 * script, loaded after rsvp.js, renderjs.js and rtc-gadgets.iife.js; it uses only RSVP, rJS, the
 * custom elements and the bundle's METHOD_PARAMS (RtcGadgets, read when declare runs), and sets one
 * global, RtcGadgetsRenderJS, whose declare(gadget_klass, spec) adds:
 *
 * - the GadgetField interface: render(options) maps key, value, editable, hidden and the
 *   renderjs_extra options (database, room, signaling, allow, timeout, fields, page_size,
 *   autoconnect, required, language) onto the element, idempotently (ERP5 renders again on every form
 *   render; values may be strings, as Formulator's renderjs_extra gives them); getContent() gives
 *   {key: the id of the record created last in the form, else the rendered value}, {} when not
 *   editable; checkValidity();
 * - the jIO storage interface as methods, JSON in and out (the iframe sandbox channel is JSON):
 *   repair, createJio, and every method of the bundle's method table (gadgets/methods.ts:
 *   allDocs, get, put, post, remove, bulkPut and the attachment methods) when the element has it
 *   (checked at call time; else 501); a leading document id is checked here, so remove() without
 *   one never reaches the DOM's Element.remove();
 * - bridges: rtc-record-create → notifyChange; a configuration error (rtc-error 400) →
 *   notifyInvalid, the element running again after it → notifyValid; a gadget that cannot work
 *   at all (the bundle did not define the element; a master without IndexedDB, e.g. in a dataurl
 *   sandbox) → a failing service, which RenderJS reports through reportServiceError.
 *
 * Lifetimes follow the DOM: when the parent drops the gadget and removes its element, RenderJS
 * stops the services and the element's disconnectedCallback closes its connections.
 */
/*global window, document, RSVP, rJS, Blob, FileReader */
/*jslint indent: 2, maxlen: 100 */
(function (window, document, RSVP, rJS) {
  'use strict';

  if (window.RtcGadgetsRenderJS) {
    return;
  }

  var DEFAULT_STATE = {
    rendered: false,
    key: '',
    value: '',
    editable: false,
    hidden: false,
    required: false,
    autoconnect: true,
    fields: '',
    page_size: '',
    language: '',
    created_id: ''
  };

  /** A jIO-style error: own enumerable message and status_code, so JSON keeps both. */
  function jioError(message, status_code) {
    var error = new Error(message);
    Object.defineProperty(error, 'message', {value: message, enumerable: true, writable: true,
      configurable: true});
    error.status_code = status_code;
    return error;
  }

  /** Own keys only: options come from ERP5 as plain objects, maybe without Object's prototype. */
  function has(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  function toText(value) {
    if (value === undefined || value === null) {
      return '';
    }
    if (Array.isArray(value)) {
      return value.map(toText).filter(Boolean).join(',');
    }
    return String(value).trim();
  }

  /** Booleans as ERP5 gives them: true/false, or strings and numbers from renderjs_extra. */
  function toBoolean(value, fallback) {
    if (value === undefined || value === null || value === '') {
      return fallback;
    }
    if (typeof value === 'string') {
      return !/^(false|0|no|off)$/i.test(value.trim());
    }
    return Boolean(value);
  }

  /** Plain JSON (what the iframe sandbox lets through), whatever the sandbox. */
  function toJSONValue(value) {
    if (value === undefined) {
      return undefined;
    }
    return JSON.parse(JSON.stringify(value));
  }

  function blobToDataURL(blob) {
    var reader = new FileReader();
    return new RSVP.Promise(function (resolve, reject) {
      reader.onload = function () {
        resolve(reader.result);
      };
      reader.onerror = function () {
        reject(jioError('Cannot read the attachment: ' + reader.error, 500));
      };
      reader.readAsDataURL(blob);
    }, function () {
      reader.abort();
    });
  }

  /** Attachments as JSON: a Blob or an ArrayBuffer becomes a data: URL string. */
  function attachmentToJSONValue(value) {
    if (value instanceof window.ArrayBuffer) {
      value = new Blob([value]);
    }
    if (value instanceof Blob) {
      return blobToDataURL(value);
    }
    return toJSONValue(value);
  }

  /** Acquired notifications are optional: a parent that does not provide them is fine. */
  function optional(queue) {
    return queue.push(undefined, function (error) {
      if (error instanceof rJS.AcquisitionError) {
        return;
      }
      throw error;
    });
  }

  /** `{method: [parameter names]}` of the bundle's method table, {} when it did not load. */
  function methodParams() {
    var bundle = window.RtcGadgets;
    return (bundle && bundle.METHOD_PARAMS) || {};
  }

  function isConfigurationError(error) {
    return Boolean(error) && error.status_code === 400;
  }

  function declare(gadget_klass, spec) {
    var tag = spec.tag,
      option_list = spec.attribute_list,
      initial_state = JSON.parse(JSON.stringify(DEFAULT_STATE)),
      param_dict = methodParams();

    option_list.forEach(function (name) {
      initial_state[name] = '';
    });

    function getDatabaseElement(gadget) {
      var element = gadget.element.querySelector(tag);
      if (element === null) {
        throw jioError('<' + tag + '> is missing from the gadget', 500);
      }
      if (window.customElements && window.customElements.upgrade) {
        window.customElements.upgrade(element);
      }
      if (typeof element.allDocs !== 'function') {
        throw jioError('<' + tag + '> is not defined: rtc-gadgets.iife.js did not load', 500);
      }
      return element;
    }

    /** The state a render (or createJio) asks for, normalised to JSON strings and booleans. */
    function stateFromOptions(gadget, options) {
      var state = gadget.state,
        result = {rendered: true},
        key;
      options = options || {};
      if (has(options, 'key')) {
        result.key = toText(options.key);
      }
      if (has(options, 'value')) {
        result.value = toText(options.value);
        if (result.value !== state.value) {
          result.created_id = '';
        }
      }
      if (has(options, 'editable')) {
        result.editable = toBoolean(options.editable, false);
      }
      ['hidden', 'required'].forEach(function (name) {
        if (has(options, name)) {
          result[name] = toBoolean(options[name], false);
        }
      });
      if (has(options, 'autoconnect')) {
        result.autoconnect = toBoolean(options.autoconnect, true);
      }
      ['fields', 'page_size', 'language'].concat(option_list).forEach(function (name) {
        if (has(options, name)) {
          result[name] = toText(options[name]);
        }
      });
      for (key in result) {
        if (has(result, key) && result[key] === state[key] && key !== 'rendered') {
          delete result[key];
        }
      }
      return result;
    }

    function setAttribute(element, name, value) {
      if (value === '' || value === false) {
        if (element.hasAttribute(name)) {
          element.removeAttribute(name);
        }
      } else {
        value = value === true ? '' : value;
        if (element.getAttribute(name) !== value) {
          element.setAttribute(name, value);
        }
      }
    }

    /** Joining, serving or connecting (a configuration error means nothing runs). */
    function isRunning(element) {
      return element.state === 'connecting' || element.state === 'connected' ||
        (element.state === 'error' && !isConfigurationError(element.lastError));
    }

    function updateQueryForm(gadget, element) {
      var state = gadget.state,
        form = null,
        i;
      for (i = 0; i < element.children.length; i += 1) {
        if (element.children[i].localName === 'rtc-query-form') {
          form = element.children[i];
        }
      }
      if (!state.fields) {
        if (form !== null) {
          element.removeChild(form);
        }
        return;
      }
      if (form === null) {
        form = document.createElement('rtc-query-form');
        element.appendChild(form);
      }
      setAttribute(form, 'fields', state.fields);
      setAttribute(form, 'page-size', state.page_size);
      if (form.classList.contains('rtc-gadget-readonly') === state.editable) {
        form.classList.toggle('rtc-gadget-readonly');
      }
    }

    /** Applies the whole state to the element; every step is a no-op when nothing changed. */
    function applyState(gadget) {
      var state = gadget.state,
        element = getDatabaseElement(gadget),
        was_running = isRunning(element);
      option_list.forEach(function (name) {
        setAttribute(element, name, state[name]);
      });
      setAttribute(element, 'no-autoconnect', !state.autoconnect);
      setAttribute(element, 'hidden', state.hidden);
      // ERP5's language (e.g. Localizer's get_selected_language()) as the element's lang: the
      // elements follow the closest lang, so the gadget speaks it; none: the page's, else the
      // browser's (README "Theme and languages").
      setAttribute(element, 'lang', state.language);
      return new RSVP.Queue()
        .push(function () {
          // Let the element take its new attributes first: a running element restarts itself
          // when its room, signaling, database or allow change.
          return element.updateComplete;
        })
        .push(function () {
          updateQueryForm(gadget, element);
          if (state.autoconnect && !was_running && element.isConnected) {
            element.connect();
          } else if (!state.autoconnect && was_running) {
            return element.disconnect();
          }
        })
        .push(function () {
          gadget.rtc_rendered.resolve();
        });
    }

    function validityMessage(gadget) {
      var element = getDatabaseElement(gadget),
        state = gadget.state;
      if (element.state === 'error' && isConfigurationError(element.lastError)) {
        return element.lastError.message;
      }
      if (state.required && state.editable && !(state.created_id || state.value)) {
        return 'Create a record first.';
      }
      return '';
    }

    function checkId(id, method) {
      if (typeof id !== 'string' || id === '') {
        throw jioError("Document id must be a non empty string on '" + tag + '.' + method + "'.",
          400);
      }
    }

    function callElement(gadget, method, argument_list, convert) {
      var element = getDatabaseElement(gadget);
      return new RSVP.Queue()
        .push(function () {
          return element[method].apply(element, argument_list);
        })
        .push(convert || toJSONValue);
    }

    gadget_klass
      .setState(initial_state)

      .declareAcquiredMethod('notifyChange', 'notifyChange')
      .declareAcquiredMethod('notifyValid', 'notifyValid')
      .declareAcquiredMethod('notifyInvalid', 'notifyInvalid')

      .ready(function (gadget) {
        // Resolved by the first render: services that need the configuration wait for it.
        gadget.rtc_rendered = RSVP.defer();
      })

      /////////////////////////////////////////////////////////////////
      // GadgetField interface
      /////////////////////////////////////////////////////////////////
      .declareMethod('render', function (options) {
        return this.changeState(stateFromOptions(this, options));
      })

      .onStateChange(function () {
        return applyState(this);
      })

      .declareMethod('getContent', function () {
        var state = this.state,
          result = {};
        if (state.editable && state.key) {
          result[state.key] = state.created_id || state.value;
        }
        return result;
      })

      .declareMethod('checkValidity', function () {
        var gadget = this,
          message = validityMessage(gadget);
        return optional(message ? gadget.notifyInvalid(message) : gadget.notifyValid())
          .push(function () {
            return message === '';
          });
      })

      /////////////////////////////////////////////////////////////////
      // jIO storage interface (gadget_officejs_webrtc_jio's methods)
      /////////////////////////////////////////////////////////////////
      .declareMethod('createJio', function (options) {
        // OfficeJS passes {socket_url}; the connection options of render() are accepted too.
        var config = {};
        options = options || {};
        if (options.socket_url && !options.signaling) {
          config.signaling = options.socket_url;
        }
        ['room', 'autoconnect', 'timeout'].concat(option_list).forEach(function (name) {
          if (has(options, name)) {
            config[name] = options[name];
          }
        });
        return this.changeState(stateFromOptions(this, config));
      })
      .declareMethod('repair', function () {
        // The master's database is the only copy: nothing to repair (jIO: undefined, never 501).
        return;
      });

    // The database methods of the bundle's method table, by parameter names (none when the bundle
    // did not load: the service below then reports the gadget as broken).
    Object.keys(param_dict).forEach(function (method) {
      var takes_id = param_dict[method][0] === 'id';
      gadget_klass.declareMethod(method, function () {
        var argument_list = Array.prototype.slice.call(arguments, 0),
          element;
        if (takes_id) {
          checkId(argument_list[0], method);
        }
        element = getDatabaseElement(this);
        if (typeof element[method] !== 'function') {
          throw jioError("Capacity '" + method + "' is not implemented on '" + tag + "'", 501);
        }
        return callElement(this, method, argument_list,
          method === 'getAttachment' ? attachmentToJSONValue : toJSONValue);
      });
    });

    gadget_klass
      /////////////////////////////////////////////////////////////////
      // Element events → the parent (acquisition)
      /////////////////////////////////////////////////////////////////
      .onEvent('rtc-record-create', function (event) {
        var gadget = this;
        return gadget.changeState({created_id: String(event.detail.id)})
          .push(function () {
            return optional(gadget.notifyChange());
          });
      }, false, false)

      .onEvent('rtc-error', function (event) {
        var error = event.detail && event.detail.error;
        if (event.target.localName === tag && isConfigurationError(error)) {
          this.rtc_invalid = true;
          return optional(this.notifyInvalid(error.message));
        }
      }, false, false)

      .onEvent('rtc-state-change', function (event) {
        if (event.target.localName === tag && this.rtc_invalid && event.detail.state !== 'error') {
          this.rtc_invalid = false;
          return optional(this.notifyValid());
        }
      }, false, false)

      /////////////////////////////////////////////////////////////////
      // Fatal errors → reportServiceError (RenderJS reports a failing service)
      /////////////////////////////////////////////////////////////////
      .declareService(function () {
        var gadget = this,
          element = getDatabaseElement(gadget);
        if (!spec.needs_indexeddb) {
          return;
        }
        return new RSVP.Queue()
          .push(function () {
            return gadget.rtc_rendered.promise;
          })
          .push(function () {
            // A master owns its data in IndexedDB; where there is none (an opaque origin such as
            // the dataurl sandbox, a browser that blocks storage) the gadget cannot work.
            return element.allDocs({limit: [0, 1]});
          })
          .push(undefined, function (error) {
            if (error instanceof RSVP.CancellationError) {
              throw error;
            }
            throw jioError('<' + tag + "> cannot open its IndexedDB database '" +
              (element.database || 'default') + "': " + (error && error.message),
              (error && error.status_code) || 500);
          });
      });

    return gadget_klass;
  }

  window.RtcGadgetsRenderJS = {declare: declare};
}(window, document, RSVP, rJS));
