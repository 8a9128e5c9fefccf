/*
 * ============================================================================================
 *  TEST HARNESS, NOT RENDERJS. Never serve this file as an ERP5 site's renderjs.js.
 * ============================================================================================
 * A small stand-in for Nexedi's RenderJS 0.28/0.29 (renderjs.js), written for rtc-gadgets' tests and
 * demo because RenderJS is not on npm. It follows the contract of docs/jio-compatibility.md
 * "RenderJS and ERP5 embedding" and the public source of RenderJS, which it re-implements (it
 * copies no code):
 *
 *  - rJS(window), while a gadget's scripts load, is that gadget's class, with the chainable
 *    .ready, .declareMethod(name, fn, {mutex}), .declareAcquiredMethod(local, remote),
 *    .allowPublicAcquisition(name, fn(argument_list, child_scope)), .declareService, .declareJob,
 *    .onEvent(type, fn, use_capture, prevent_default), .onLoop, .setState, .onStateChange;
 *  - instances have declareGadget(url, {scope, sandbox, element}), getDeclaredGadget, dropGadget
 *    (forgets the reference only, as RenderJS does: the parent removes the element), changeState
 *    (mutex "changestate"), getMethodList, getPath, getTitle, getElement, getRequired*List,
 *    getInterfaceList; acquisition walks up the parents and ends with
 *    AcquisitionError("No gadget provides <name>"); reportServiceError at the top "crashes";
 *  - a gadget is an HTML page fetched once per URL; its <head> classic scripts (no type or
 *    text/javascript) and stylesheets load once per absolute URL, and the root page's own head
 *    scripts count as loaded (so a gadget's rsvp.js / renderjs.js is skipped when it is the URL the
 *    page already loaded); its <body> is cloned into gadget.element, relative src/href/srcset made
 *    absolute; [data-gadget-url] children are declared before .ready;
 *  - services start when gadget.element is in the document and stop (are cancelled) when it is
 *    removed (a MutationObserver on the root body); a failing service is reported through the
 *    acquired reportServiceError;
 *  - sandboxes: "public" (same window), "iframe" (the gadget's URL in an <iframe>, talking over
 *    postMessage where every message is JSON.stringify'd, as jschannel does, so arguments and
 *    results must be plain JSON; errors come back as AcquisitionError, CancellationError or
 *    IframeSerializationError carrying only the message; the iframe must say "ready" within 5 s
 *    of its load event) and "dataurl" (the HTML fetched, given a <base>, loaded as a data: URL
 *    iframe: an opaque origin, so no IndexedDB);
 *  - the root gadget boots on DOMContentLoaded, or on renderJS.manualBootstrap() when the script
 *    is added later (as the tests do); inside an iframe it first waits up to 1 s for its parent.
 *
 * Known differences: the postMessage channel is a minimal re-implementation of jschannel (same
 * JSON framing and ready handshake, no origin other than "*"); fetch() instead of XMLHttpRequest;
 * a crash (reportServiceError reaching the top) is logged and listed in renderJS.crashList and
 * shown in a banner instead of replacing the page body; no onLoop pause when the tab is hidden.
 * Like RenderJS, it adds Error.prototype.toJSON so errors survive JSON.stringify.
 */
/*global window, document, RSVP, DOMParser, MutationObserver, Node, FileReader, Blob, URL,
  console */
(function (window, document, RSVP) {
  'use strict';

  if (window.rJS && window.rJS.__harness) {
    return;
  }

  // RenderJS makes errors JSON-serialisable (its channel uses JSON.stringify).
  if (!Error.prototype.hasOwnProperty('toJSON')) {
    Object.defineProperty(Error.prototype, 'toJSON', {
      value: function () {
        var result = {};
        Object.getOwnPropertyNames(this).forEach(function (key) {
          result[key] = this[key];
        }, this);
        return result;
      },
      configurable: true,
      writable: true
    });
  }

  /////////////////////////////////////////////////////////////////
  // Errors
  /////////////////////////////////////////////////////////////////
  function defineError(name, defaultMessage) {
    function RenderJSError(message) {
      this.name = name;
      if (message !== undefined && typeof message !== 'string') {
        throw new TypeError('You must pass a string.');
      }
      this.message = message || defaultMessage;
    }
    RenderJSError.prototype = new Error();
    RenderJSError.prototype.constructor = RenderJSError;
    return RenderJSError;
  }
  var AcquisitionError = defineError('AcquisitionError', 'Acquisition failed'),
    ScopeError = defineError('scopeerror', 'Scope Error'),
    IframeSerializationError = defineError('IframeSerializationError',
      'Parameter serialization failed'),
    DOMParserError = defineError('DOMParserError', 'Default Message');

  // Error types across the iframe channel: {type, msg}.
  function errorType(error) {
    if (error instanceof AcquisitionError) {
      return 1;
    }
    if (error instanceof RSVP.CancellationError) {
      return 2;
    }
    return 0;
  }
  function errorFromChannel(value) {
    var Type;
    if (value && typeof value === 'object' && value.hasOwnProperty('type')) {
      Type = {0: IframeSerializationError, 1: AcquisitionError, 2: RSVP.CancellationError}[value.type];
      if (Type) {
        return new Type(typeof value.msg === 'string' ? value.msg : String(value.msg));
      }
    }
    return value;
  }
  function errorToChannel(error) {
    var message;
    if (error instanceof Error) {
      message = errorType(error) !== 0 ? error.message : (error.message || String(error));
    } else {
      message = error;
    }
    return {type: errorType(error), msg: message};
  }

  /////////////////////////////////////////////////////////////////
  // Helpers
  /////////////////////////////////////////////////////////////////
  function ensurePushableQueue(callback, argument_list, context) {
    var result;
    try {
      result = callback.apply(context, argument_list);
    } catch (error) {
      return new RSVP.Queue(RSVP.reject(error));
    }
    if (result instanceof RSVP.Queue) {
      return result;
    }
    return new RSVP.Queue(result);
  }

  function removeHash(url) {
    var index = url.indexOf('#');
    return index > 0 ? url.substring(0, index) : url;
  }

  function getAbsoluteURL(url, base_url) {
    if (base_url && url) {
      return new URL(url, base_url).href;
    }
    return url;
  }

  function parseDocumentStringOrFail(string, mime_type) {
    var doc = new DOMParser().parseFromString(string, mime_type),
      error_node = doc.querySelector('parsererror');
    if (error_node !== null) {
      throw new DOMParserError(error_node.textContent);
    }
    return doc;
  }

  function loopEventListener(target, type, use_capture, callback, prevent_default) {
    var handler,
      callback_promise;
    if (prevent_default === undefined) {
      prevent_default = true;
    }
    function cancelResolver(message) {
      if (callback_promise !== undefined && typeof callback_promise.cancel === 'function') {
        callback_promise.cancel(message);
      }
    }
    function canceller(message) {
      if (handler !== undefined) {
        target.removeEventListener(type, handler, use_capture);
      }
      cancelResolver(message);
    }
    return new RSVP.Promise(function (resolve, reject) {
      handler = function (event) {
        var result;
        if (prevent_default) {
          event.stopPropagation();
          event.preventDefault();
        }
        cancelResolver('Cancelling previous event (' + event.type + ')');
        try {
          result = callback(event);
        } catch (error) {
          return reject(error);
        }
        callback_promise = new RSVP.Queue(result).push(undefined, function (error) {
          if (!(error instanceof RSVP.CancellationError)) {
            canceller(String(error));
            reject(error);
          }
        });
      };
      target.addEventListener(type, handler, use_capture);
    }, canceller);
  }

  function promiseAnimationFrame() {
    var id;
    return new RSVP.Promise(function (resolve) {
      id = window.requestAnimationFrame(resolve);
    }, function () {
      window.cancelAnimationFrame(id);
    });
  }

  function fetchHTML(url) {
    var controller = new AbortController();
    return new RSVP.Promise(function (resolve, reject) {
      window.fetch(url, {credentials: 'include', headers: {Accept: 'text/html'},
        signal: controller.signal})
        .then(function (response) {
          if (!response.ok ||
              !/^text\/html[;]?/.test(response.headers.get('Content-Type') || '')) {
            throw new Error('Cannot load gadget ' + url + ': HTTP ' + response.status + ' ' +
              (response.headers.get('Content-Type') || ''));
          }
          return response.text();
        })
        .then(resolve, reject);
    }, function () {
      controller.abort();
    });
  }

  function readBlobAsDataURL(blob) {
    var reader = new FileReader();
    return new RSVP.Promise(function (resolve, reject) {
      reader.addEventListener('load', function () {
        resolve(reader.result);
      });
      reader.addEventListener('error', reject);
      reader.readAsDataURL(blob);
    }, function () {
      reader.abort();
    });
  }

  /////////////////////////////////////////////////////////////////
  // Channel: a minimal jschannel (JSON over postMessage, scope "renderJS", origin "*")
  /////////////////////////////////////////////////////////////////
  var Channel = (function () {
    var bound = [],
      transactions = {},
      next_id = Math.floor(Math.random() * 1000001);

    window.addEventListener('message', function (event) {
      var message,
        parts,
        i;
      try {
        message = JSON.parse(event.data);
        if (typeof message !== 'object' || message === null) {
          return;
        }
      } catch (ignore) {
        return;
      }
      if (typeof message.method === 'string') {
        parts = message.method.split('::');
        if (parts.length !== 2) {
          return;
        }
        for (i = 0; i < bound.length; i += 1) {
          if (bound[i].win === event.source && bound[i].scope === parts[0]) {
            bound[i].handle(parts[1], message);
            return;
          }
        }
      } else if (message.id !== undefined && transactions.hasOwnProperty(message.id)) {
        transactions[message.id](message);
      }
    }, false);

    function build(cfg) {
      var handlers = {},
        incoming = {},
        pending = [],
        ready = false,
        channel;

      function post(message, force) {
        if (!force && !ready) {
          pending.push(message);
          return;
        }
        cfg.window.postMessage(JSON.stringify(message), '*');
      }

      function setReady() {
        if (ready) {
          return;
        }
        ready = true;
        pending.splice(0).forEach(function (message) {
          post(message);
        });
        if (typeof cfg.onReady === 'function') {
          cfg.onReady(channel);
        }
      }

      function handle(method, message) {
        var id = message.id,
          transaction,
          result,
          delayed = false,
          completed = false;
        if (method === '__ready') {
          if (message.params === 'ping') {
            post({method: cfg.scope + '::__ready', params: 'pong'}, true);
          }
          setReady();
          return;
        }
        if (!handlers.hasOwnProperty(method)) {
          if (id !== undefined) {
            post({id: id, error: 'method_not_found', message: "No such method '" + method + "'"});
          }
          return;
        }
        if (id === undefined) {
          handlers[method](null, message.params);
          return;
        }
        transaction = {
          complete: function (value) {
            if (completed) {
              return;
            }
            completed = true;
            delete incoming[id];
            post({id: id, result: value});
          },
          error: function (error, text) {
            if (completed) {
              return;
            }
            completed = true;
            delete incoming[id];
            post({id: id, error: error, message: text});
          },
          delayReturn: function (value) {
            if (typeof value === 'boolean') {
              delayed = value;
            }
            return delayed;
          }
        };
        incoming[id] = transaction;
        try {
          result = handlers[method](transaction, message.params, id);
          if (!delayed && !completed) {
            transaction.complete(result);
          }
        } catch (error) {
          transaction.error('runtime_error', String(error));
        }
      }

      bound.push({win: cfg.window, scope: cfg.scope, handle: handle});

      channel = {
        bind: function (method, handler) {
          handlers[method] = handler;
          return channel;
        },
        call: function (options) {
          var id = next_id,
            timer;
          next_id += 1;
          transactions[id] = function (message) {
            delete transactions[id];
            if (timer !== undefined) {
              window.clearTimeout(timer);
            }
            if (message.hasOwnProperty('error')) {
              options.error(message.error, message.message);
            } else {
              options.success(message.result);
            }
          };
          if (options.timeout) {
            timer = window.setTimeout(function () {
              if (transactions.hasOwnProperty(id)) {
                delete transactions[id];
                options.error('timeout_error', 'timeout (' + options.timeout +
                  "ms) exceeded on method '" + options.method + "'");
              }
            }, options.timeout);
          }
          post({id: id, method: cfg.scope + '::' + options.method, params: options.params});
          return id;
        },
        notify: function (options) {
          post({method: cfg.scope + '::' + options.method, params: options.params});
        },
        destroy: function () {
          bound = bound.filter(function (entry) {
            return entry.handle !== handle;
          });
        }
      };
      post({method: cfg.scope + '::__ready', params: 'ping'}, true);
      return channel;
    }

    return {build: build};
  }());

  /////////////////////////////////////////////////////////////////
  // Mutex and Monitor
  /////////////////////////////////////////////////////////////////
  function Mutex() {
    this._latest = null;
  }
  Mutex.prototype.lockAndRun = function (callback) {
    var previous = this._latest,
      result;
    if (previous === null) {
      result = RSVP.resolve(callback());
    } else {
      result = previous.always(function () {
        return callback();
      });
    }
    this._latest = RSVP.all([
      previous === null ? RSVP.resolve() : previous.always(function () { return; }),
      result.always(function () { return; })
    ]);
    return result;
  };

  function Monitor() {
    var monitor = this,
      list = [],
      resolved = false,
      fail,
      promise;
    function cancelAll(message) {
      list.splice(0).forEach(function (item) {
        item.cancel(message);
      });
    }
    promise = new RSVP.Promise(function (resolve, reject) {
      fail = function (reason) {
        if (resolved) {
          return;
        }
        resolved = true;
        cancelAll(String(reason));
        reject(reason);
      };
    }, cancelAll);
    monitor.cancel = function (message) {
      if (resolved) {
        return;
      }
      resolved = true;
      promise.cancel(message);
    };
    monitor.then = promise.then.bind(promise);
    monitor.fail = promise.fail.bind(promise);
    monitor.monitor = function (promise_to_monitor) {
      if (resolved) {
        throw new Error('Monitor already resolved');
      }
      list.push(new RSVP.Queue(promise_to_monitor).push(undefined, function (reason) {
        fail(reason);
        throw reason;
      }));
      return monitor;
    };
  }

  /////////////////////////////////////////////////////////////////
  // Crash (reportServiceError with nobody above)
  /////////////////////////////////////////////////////////////////
  var crash_list = [];
  function letsCrash(error) {
    var banner;
    crash_list.push(error);
    console.error('renderJS harness: unhandled gadget error', error);
    if (document.body) {
      banner = document.createElement('section');
      banner.setAttribute('role', 'alert');
      banner.className = 'renderjs-harness-crash';
      banner.textContent = 'Unhandled Error (renderJS harness): ' +
        ((error && error.message) || String(error));
      document.body.insertBefore(banner, document.body.firstChild);
    }
  }

  /////////////////////////////////////////////////////////////////
  // RenderJSGadget
  /////////////////////////////////////////////////////////////////
  function RenderJSGadget() {
    return;
  }
  RenderJSGadget.prototype.__title = '';
  RenderJSGadget.prototype.__interface_list = [];
  RenderJSGadget.prototype.__path = '';
  RenderJSGadget.prototype.__required_css_list = [];
  RenderJSGadget.prototype.__required_js_list = [];

  function clearGadgetInternalParameters(gadget) {
    gadget.__sub_gadget_dict = {};
    gadget.__job_list = [];
    if (gadget.__json_state !== undefined) {
      gadget.state = JSON.parse(gadget.__json_state);
    }
  }

  function deleteGadgetMonitor(gadget) {
    if (gadget.hasOwnProperty('__monitor')) {
      gadget.__monitor.cancel('Deleting Gadget Monitor');
      delete gadget.__monitor;
      gadget.__job_list = [];
      gadget.__job_triggered = false;
    }
  }

  function createGadgetMonitor(gadget) {
    gadget.__monitor = new Monitor();
    gadget.__job_dict = {};
    gadget.__job_triggered = false;
    gadget.__monitor.fail(function (error) {
      if (!(error instanceof RSVP.CancellationError)) {
        return gadget.aq_reportServiceError(error);
      }
    }).fail(letsCrash);
  }

  function runJob(gadget, name, callback, argument_list) {
    var job;
    if (gadget.__job_dict.hasOwnProperty(name)) {
      gadget.__job_dict[name].cancel(name + ' : Cancelling previous job');
    }
    job = ensurePushableQueue(callback, argument_list, gadget);
    gadget.__job_dict[name] = job;
    gadget.__monitor.monitor(new RSVP.Queue(job).push(undefined, function (error) {
      if (!(error instanceof RSVP.CancellationError)) {
        throw error;
      }
    }));
  }

  function startService(gadget) {
    if ((gadget.constructor.__service_list.length === 0 && !gadget.constructor.__job_declared) ||
        gadget.hasOwnProperty('__monitor')) {
      return;
    }
    createGadgetMonitor(gadget);
    gadget.__monitor.monitor(new RSVP.Queue().push(function () {
      var service_list = gadget.constructor.__service_list,
        job_list = gadget.__job_list,
        i;
      for (i = 0; i < service_list.length; i += 1) {
        gadget.__monitor.monitor(service_list[i].apply(gadget));
      }
      for (i = 0; i < job_list.length; i += 1) {
        runJob(gadget, job_list[i][0], job_list[i][1], job_list[i][2]);
      }
      gadget.__job_list = [];
      gadget.__job_triggered = true;
    }));
  }

  function registerMethod(klass, name, type) {
    if (!klass.hasOwnProperty('__method_type_dict')) {
      klass.__method_type_dict = {};
    }
    klass.__method_type_dict[name] = type;
  }

  RenderJSGadget.ready = function (callback) {
    this.__ready_list.push(callback);
    return this;
  };
  RenderJSGadget.setState = function (state_dict) {
    this.prototype.__json_state = JSON.stringify(state_dict);
    return this;
  };
  RenderJSGadget.onStateChange = function (callback) {
    this.prototype.__state_change_callback = callback;
    return this;
  };
  RenderJSGadget.declareService = function (callback) {
    this.__service_list.push(callback);
    return this;
  };
  RenderJSGadget.onEvent = function (type, callback, use_capture, prevent_default) {
    this.__service_list.push(function () {
      return loopEventListener(this.element, type, use_capture, callback.bind(this),
        prevent_default);
    });
    return this;
  };
  RenderJSGadget.onLoop = function (callback, delay) {
    if (delay === undefined) {
      delay = 0;
    }
    this.__service_list.push(function () {
      var queue = new RSVP.Queue(),
        context = this;
      function wait() {
        queue
          .push(function () {
            return RSVP.delay(delay);
          })
          .push(promiseAnimationFrame)
          .push(function () {
            return callback.apply(context, []);
          })
          .push(wait);
      }
      wait();
      return queue;
    });
    return this;
  };
  RenderJSGadget.declareJob = function (name, callback) {
    this.__job_declared = true;
    this.prototype[name] = function () {
      var argument_list = arguments;
      if (this.__job_triggered) {
        runJob(this, name, callback, argument_list);
      } else {
        this.__job_list.push([name, callback, argument_list]);
      }
    };
    registerMethod(this, name, 'job');
    return this;
  };
  RenderJSGadget.declareMethod = function (name, callback, options) {
    this.prototype[name] = function () {
      var context = this,
        argument_list = arguments,
        mutex_name;
      if (options !== undefined && options.hasOwnProperty('mutex')) {
        mutex_name = '__mutex_' + options.mutex;
        if (!context.hasOwnProperty(mutex_name)) {
          context[mutex_name] = new Mutex();
        }
        return ensurePushableQueue(context[mutex_name].lockAndRun, [function () {
          return callback.apply(context, argument_list);
        }], context[mutex_name]);
      }
      return ensurePushableQueue(callback, argument_list, context);
    };
    registerMethod(this, name, 'method');
    return this;
  };

  function acquire(child_gadget, method_name, argument_list) {
    var gadget = this,
      aq_dict = gadget.__acquired_method_dict || {},
      scope,
      key;
    if (!aq_dict.hasOwnProperty(method_name)) {
      return gadget.__aq_parent(method_name, argument_list);
    }
    for (key in gadget.__sub_gadget_dict) {
      if (gadget.__sub_gadget_dict.hasOwnProperty(key) &&
          gadget.__sub_gadget_dict[key] === child_gadget) {
        scope = key;
      }
    }
    return ensurePushableQueue(aq_dict[method_name], [argument_list, scope], gadget)
      .push(undefined, function (error) {
        if (error instanceof AcquisitionError) {
          return gadget.__aq_parent(method_name, argument_list);
        }
        throw error;
      });
  }

  RenderJSGadget.declareAcquiredMethod = function (name, method_name_to_acquire) {
    this.prototype[name] = function () {
      var argument_list = Array.prototype.slice.call(arguments, 0);
      return ensurePushableQueue(this.__aq_parent, [method_name_to_acquire, argument_list], this);
    };
    registerMethod(this, name, 'acquired_method');
    return this;
  };
  RenderJSGadget.allowPublicAcquisition = function (method_name, callback) {
    this.prototype.__acquired_method_dict[method_name] = callback;
    return this;
  };

  function setAqParent(gadget, parent_gadget) {
    gadget.__aq_parent = function (method_name, argument_list) {
      return acquire.apply(parent_gadget, [gadget, method_name, argument_list]);
    };
  }

  RenderJSGadget.__ready_list = [];
  RenderJSGadget.__service_list = [];
  RenderJSGadget.declareAcquiredMethod('aq_reportServiceError', 'reportServiceError');
  RenderJSGadget.declareAcquiredMethod('aq_reportGadgetDeclarationError',
    'reportGadgetDeclarationError');

  RenderJSGadget
    .declareMethod('getInterfaceList', function () {
      return this.__interface_list;
    })
    .declareMethod('getMethodList', function (type) {
      var dict = this.constructor.__method_type_dict || {};
      return Object.keys(dict).filter(function (key) {
        return type === undefined || dict[key] === type;
      });
    })
    .declareMethod('getRequiredCSSList', function () {
      return this.__required_css_list;
    })
    .declareMethod('getRequiredJSList', function () {
      return this.__required_js_list;
    })
    .declareMethod('getPath', function () {
      return this.__path;
    })
    .declareMethod('getTitle', function () {
      return this.__title;
    })
    .declareMethod('getElement', function () {
      if (this.element === undefined) {
        throw new Error('No element defined');
      }
      return this.element;
    })
    .declareMethod('changeState', function (state_dict) {
      var context = this,
        modified = false,
        previous_cancelled = context.hasOwnProperty('__modification_dict'),
        modification_dict = previous_cancelled ? context.__modification_dict : {},
        key;
      if (previous_cancelled) {
        modified = true;
      }
      for (key in state_dict) {
        if (state_dict.hasOwnProperty(key) && state_dict[key] !== context.state[key]) {
          context.state[key] = state_dict[key];
          modification_dict[key] = state_dict[key];
          modified = true;
        }
      }
      if (modified && context.__state_change_callback !== undefined) {
        context.__modification_dict = modification_dict;
        return ensurePushableQueue(context.__state_change_callback, [modification_dict], context)
          .push(function (result) {
            delete context.__modification_dict;
            return result;
          });
      }
    }, {mutex: 'changestate'});

  function loadSubGadgetDOMDeclaration() {
    var context = this,
      element_list = this.element.querySelectorAll('[data-gadget-url]'),
      promise_list = [],
      i;
    function reportDeclarationError(scope) {
      return function (error) {
        var aq_dict = context.__acquired_method_dict || {};
        if (aq_dict.hasOwnProperty('reportGadgetDeclarationError')) {
          return aq_dict.reportGadgetDeclarationError.apply(context, [arguments, scope]);
        }
        throw error;
      };
    }
    for (i = 0; i < element_list.length; i += 1) {
      promise_list.push(
        context.declareGadget(element_list[i].getAttribute('data-gadget-url'), {
          element: element_list[i],
          scope: element_list[i].getAttribute('data-gadget-scope') || undefined,
          sandbox: element_list[i].getAttribute('data-gadget-sandbox') || undefined
        }).push(undefined, reportDeclarationError(
          element_list[i].getAttribute('data-gadget-scope')
        ))
      );
    }
    return RSVP.all(promise_list);
  }

  /////////////////////////////////////////////////////////////////
  // Gadget classes
  /////////////////////////////////////////////////////////////////
  var gadget_model_dict = {},
    javascript_registration_dict = {},
    stylesheet_registration_dict = {},
    gadget_loading_klass_list = [],
    scope_increment = 0,
    renderJS;

  function createKlass(url) {
    function Klass() {
      RenderJSGadget.call(this);
    }
    ['declareMethod', 'declareJob', 'declareAcquiredMethod', 'allowPublicAcquisition', 'ready',
      'setState', 'onStateChange', 'declareService', 'onEvent', 'onLoop']
      .forEach(function (name) {
        Klass[name] = RenderJSGadget[name];
      });
    Klass.__ready_list = [];
    Klass.__service_list = RenderJSGadget.__service_list.slice();
    Klass.prototype = new RenderJSGadget();
    Klass.prototype.constructor = Klass;
    Klass.prototype.__path = url;
    Klass.prototype.__acquired_method_dict = {};
    return Klass;
  }

  function parseGadgetHTMLDocument(document_element, url, update_relative_url) {
    var settings = {
        title: '',
        interface_list: [],
        required_css_list: [],
        required_js_list: [],
        path: url
      },
      base_found = false,
      element,
      i;
    if (!url || !/^(?:[a-z]+:)?\/\/|data:/i.test(url)) {
      throw new Error('The url should be absolute: ' + url);
    }
    if (document_element.nodeType !== 9) {
      throw new Error('The first parameter should be an HTMLDocument');
    }
    settings.title = document_element.title;
    if (document_element.head !== null) {
      for (i = 0; i < document_element.head.children.length; i += 1) {
        element = document_element.head.children[i];
        if (element.rel === 'stylesheet') {
          settings.required_css_list.push(getAbsoluteURL(element.getAttribute('href'),
            settings.path));
        } else if (element.nodeName === 'SCRIPT' &&
                   (element.type === 'text/javascript' || !element.type) &&
                   element.getAttribute('src')) {
          settings.required_js_list.push(getAbsoluteURL(element.getAttribute('src'),
            settings.path));
        } else if (element.rel === 'http://www.renderjs.org/rel/interface') {
          settings.interface_list.push(getAbsoluteURL(element.getAttribute('href'),
            settings.path));
        } else if (element.nodeName === 'BASE' && !base_found && element.getAttribute('href')) {
          settings.path = getAbsoluteURL(element.getAttribute('href'), settings.path);
          base_found = true;
        }
      }
    }
    if (update_relative_url && document_element.body !== null) {
      ['src', 'href', 'srcset'].forEach(function (attribute) {
        var list = document_element.body.querySelectorAll('[' + attribute + ']'),
          j;
        for (j = 0; j < list.length; j += 1) {
          list[j].setAttribute(attribute, getAbsoluteURL(list[j].getAttribute(attribute),
            settings.path));
        }
      });
    }
    return settings;
  }

  function declareJS(url, container, pop) {
    if (javascript_registration_dict.hasOwnProperty(url)) {
      return RSVP.resolve();
    }
    javascript_registration_dict[url] = null;
    return new RSVP.Promise(function (resolve, reject) {
      var script = document.createElement('script');
      script.async = false;
      script.type = 'text/javascript';
      script.onload = function () {
        if (pop === true) {
          gadget_loading_klass_list.shift();
        }
        resolve();
      };
      script.onerror = function (event) {
        if (pop === true) {
          gadget_loading_klass_list.shift();
        }
        reject(new Error('Cannot load script ' + url + ' (' + event.type + ')'));
      };
      script.src = url;
      container.appendChild(script);
    });
  }

  function declareCSS(url, container) {
    if (stylesheet_registration_dict.hasOwnProperty(url)) {
      return RSVP.resolve();
    }
    return new RSVP.Promise(function (resolve, reject) {
      var link = document.createElement('link');
      link.rel = 'stylesheet';
      link.type = 'text/css';
      link.href = url;
      link.onload = function () {
        stylesheet_registration_dict[url] = null;
        resolve();
      };
      link.onerror = reject;
      container.appendChild(link);
    });
  }

  function declareGadgetKlass(url) {
    var entry = gadget_model_dict[url],
      defer,
      Klass;
    if (entry !== undefined) {
      if (entry.defer_list !== undefined) {
        defer = RSVP.defer();
        entry.defer_list.push(defer);
        return defer.promise;
      }
      if (entry.is_resolved) {
        return entry.result;
      }
      throw entry.result;
    }
    entry = gadget_model_dict[url] = {defer_list: []};
    return new RSVP.Queue()
      .push(function () {
        return fetchHTML(url);
      })
      .push(function (text) {
        var fragment = document.createDocumentFragment(),
          promise_list = [],
          parsed,
          js_list,
          css_list,
          key,
          i;
        Klass = createKlass(url);
        Klass.__template_element = parseDocumentStringOrFail(text, 'text/html');
        parsed = parseGadgetHTMLDocument(Klass.__template_element, url, true);
        for (key in parsed) {
          if (parsed.hasOwnProperty(key)) {
            Klass.prototype['__' + key] = parsed[key];
          }
        }
        if (Klass.__template_element.querySelectorAll('[data-gadget-url]').length) {
          Klass.__ready_list.push(loadSubGadgetDOMDeclaration);
        }
        js_list = Klass.prototype.__required_js_list;
        css_list = Klass.prototype.__required_css_list;
        if (js_list.length) {
          gadget_loading_klass_list.push(Klass);
          for (i = 0; i < js_list.length - 1; i += 1) {
            promise_list.push(declareJS(js_list[i], fragment));
          }
          promise_list.push(declareJS(js_list[i], fragment, true));
        }
        for (i = 0; i < css_list.length; i += 1) {
          promise_list.push(declareCSS(css_list[i], fragment));
        }
        document.head.appendChild(fragment);
        return RSVP.all(promise_list);
      })
      .push(function () {
        entry.defer_list.forEach(function (deferred) {
          deferred.resolve(Klass);
        });
        delete entry.defer_list;
        entry.result = Klass;
        entry.is_resolved = true;
        return Klass;
      }, function (error) {
        (entry.defer_list || []).forEach(function (deferred) {
          deferred.reject(error);
        });
        delete entry.defer_list;
        entry.result = error;
        entry.is_resolved = false;
        throw error;
      });
  }

  function createPrivateInstanceFromKlass(Klass, options, parent_gadget, old_element) {
    var gadget = new Klass(),
      template_nodes = Klass.__template_element.body.childNodes,
      fragment = document.createDocumentFragment(),
      i;
    gadget.element = options.element;
    gadget.state = {};
    for (i = 0; i < template_nodes.length; i += 1) {
      fragment.appendChild(template_nodes[i].cloneNode(true));
    }
    gadget.element.appendChild(fragment);
    setAqParent(gadget, parent_gadget);
    clearGadgetInternalParameters(gadget);
    if (old_element !== undefined) {
      old_element.parentNode.replaceChild(options.element, old_element);
    }
    return gadget;
  }

  function privateDeclarePublicGadget(url, options, parent_gadget, old_element) {
    var klass = declareGadgetKlass(url);
    if (typeof klass.then === 'function') {
      return klass.then(function (Klass) {
        return createPrivateInstanceFromKlass(Klass, options, parent_gadget, old_element);
      });
    }
    return createPrivateInstanceFromKlass(klass, options, parent_gadget, old_element);
  }

  function RenderJSIframeGadget() {
    RenderJSGadget.call(this);
  }
  RenderJSIframeGadget.__ready_list = [];
  RenderJSIframeGadget.__service_list = [];
  RenderJSIframeGadget.prototype = new RenderJSGadget();
  RenderJSIframeGadget.prototype.constructor = RenderJSIframeGadget;

  function privateDeclareIframeGadget(url, options, parent_gadget, old_element) {
    var gadget,
      iframe,
      transaction_dict = {},
      loading = RSVP.defer();
    if (old_element === undefined) {
      throw new Error('DOM element is required to create Iframe Gadget ' + url);
    }
    if (!document.contains(old_element)) {
      throw new Error('The parent element is not attached to the DOM for ' + url);
    }
    gadget = new RenderJSIframeGadget();
    setAqParent(gadget, parent_gadget);
    iframe = document.createElement('iframe');
    iframe.addEventListener('error', function (error) {
      loading.reject(error);
    });
    iframe.addEventListener('load', function () {
      return RSVP.timeout(5000).fail(function () {
        loading.reject(new Error('Timeout while loading: ' + url));
      });
    });
    iframe.setAttribute('src', url);
    gadget.__path = url;
    gadget.element = options.element;
    gadget.state = {};
    options.element.appendChild(iframe);
    clearGadgetInternalParameters(gadget);
    old_element.parentNode.replaceChild(options.element, old_element);

    gadget.__chan = Channel.build({window: iframe.contentWindow, origin: '*', scope: 'renderJS'});
    gadget.__chan.bind('declareMethod', function (trans, method_name) {
      gadget[method_name] = function () {
        var argument_list = Array.prototype.slice.call(arguments, 0),
          call_id,
          wait = new RSVP.Promise(function (resolve, reject) {
            call_id = gadget.__chan.call({
              method: 'methodCall',
              params: [method_name, argument_list],
              success: resolve,
              error: function (value) {
                reject(errorFromChannel(value));
              }
            });
          }, function (message) {
            gadget.__chan.notify({method: 'cancelMethodCall', params: [call_id, message]});
          });
        return new RSVP.Queue(wait);
      };
      return 'OK';
    });
    gadget.__chan.bind('ready', function () {
      loading.resolve(gadget);
      return 'OK';
    });
    gadget.__chan.bind('failed', function (trans, params) {
      loading.reject(params);
      return 'OK';
    });
    gadget.__chan.bind('cancelAcquiredMethodCall', function (trans, params) {
      if (transaction_dict.hasOwnProperty(params[0])) {
        transaction_dict[params[0]].cancel(params[1]);
        delete transaction_dict[params[0]];
      }
      return 'OK';
    });
    gadget.__chan.bind('acquire', function (trans, params, transaction_id) {
      new RSVP.Queue()
        .push(function () {
          var promise = gadget.__aq_parent.apply(gadget, params);
          transaction_dict[transaction_id] = promise;
          return promise;
        })
        .push(function (result) {
          delete transaction_dict[transaction_id];
          trans.complete(result);
        }, function (error) {
          delete transaction_dict[transaction_id];
          trans.error(errorToChannel(error));
        });
      trans.delayReturn(true);
    });
    return loading.promise;
  }

  function privateDeclareDataUrlGadget(url, options, parent_gadget, old_element) {
    return new RSVP.Queue()
      .push(function () {
        return fetchHTML(url);
      })
      .push(function (text) {
        var doc = parseDocumentStringOrFail(text, 'text/html'),
          base = doc.createElement('base');
        base.href = url;
        doc.head.insertBefore(base, doc.head.firstChild);
        return readBlobAsDataURL(new Blob([doc.documentElement.outerHTML],
          {type: 'text/html;charset=UTF-8'}));
      })
      .push(function (data_url) {
        return privateDeclareIframeGadget(data_url, options, parent_gadget, old_element);
      });
  }

  function setGadgetInstanceHTMLContext(gadget, parent_gadget, scope) {
    var queue,
      i;
    function readyWrapper() {
      gadget.element._gadget = gadget;
      parent_gadget.__sub_gadget_dict[scope] = gadget;
      if (document.contains(gadget.element)) {
        startService(gadget);
      }
      return gadget;
    }
    function readyCall(callback) {
      return function () {
        return callback.call(gadget, gadget);
      };
    }
    if (gadget.constructor.__ready_list.length) {
      queue = new RSVP.Queue();
      for (i = 0; i < gadget.constructor.__ready_list.length; i += 1) {
        queue.push(readyCall(gadget.constructor.__ready_list[i]));
      }
      queue.push(readyWrapper);
      return queue;
    }
    return readyWrapper();
  }

  RenderJSGadget
    .declareMethod('declareGadget', function (url, options) {
      var parent_gadget = this,
        method,
        result,
        scope,
        old_element;
      options = options || {};
      if (options.sandbox === undefined) {
        options.sandbox = 'public';
      }
      if (options.element === undefined) {
        options.element = document.createElement('div');
      } else if (typeof options.element === 'string') {
        options.element = document.createElement(options.element);
      } else if (options.element.parentNode) {
        old_element = options.element;
        options.element = old_element.cloneNode(false);
      } else {
        throw new Error('No need to manually provide a DOM element without a parentNode: ' + url);
      }
      url = getAbsoluteURL(url, this.__path);
      scope = options.scope;
      if (scope === undefined) {
        scope = 'RJS_' + scope_increment;
        scope_increment += 1;
        while (parent_gadget.__sub_gadget_dict.hasOwnProperty(scope)) {
          scope = 'RJS_' + scope_increment;
          scope_increment += 1;
        }
      }
      options.element.setAttribute('data-gadget-scope', scope);
      options.element.setAttribute('data-gadget-url', url);
      options.element.setAttribute('data-gadget-sandbox', options.sandbox);
      if (options.sandbox === 'public') {
        method = privateDeclarePublicGadget;
      } else if (options.sandbox === 'iframe') {
        method = privateDeclareIframeGadget;
      } else if (options.sandbox === 'dataurl') {
        method = privateDeclareDataUrlGadget;
      } else {
        throw new Error("Unsupported sandbox options '" + options.sandbox + "'");
      }
      result = method(url, options, parent_gadget, old_element);
      if (typeof result.then === 'function') {
        return new RSVP.Queue(result).push(function (gadget) {
          return setGadgetInstanceHTMLContext(gadget, parent_gadget, scope);
        });
      }
      return setGadgetInstanceHTMLContext(result, parent_gadget, scope);
    })
    .declareMethod('getDeclaredGadget', function (scope) {
      if (!this.__sub_gadget_dict.hasOwnProperty(scope)) {
        throw new ScopeError("Gadget scope '" + scope + "' is not known.");
      }
      return this.__sub_gadget_dict[scope];
    })
    .declareMethod('dropGadget', function (scope) {
      if (!this.__sub_gadget_dict.hasOwnProperty(scope)) {
        throw new ScopeError("Gadget scope '" + scope + "' is not known.");
      }
      delete this.__sub_gadget_dict[scope];
    });

  /////////////////////////////////////////////////////////////////
  // renderJS / rJS
  /////////////////////////////////////////////////////////////////
  renderJS = function (selector) {
    var result;
    if (selector === window) {
      result = gadget_loading_klass_list[0];
    }
    if (result === undefined) {
      throw new Error("Unknown selector '" + selector + "'");
    }
    return result;
  };
  renderJS.__harness = true;
  renderJS.AcquisitionError = AcquisitionError;
  renderJS.ScopeError = ScopeError;
  renderJS.IframeSerializationError = IframeSerializationError;
  renderJS.DOMParserError = DOMParserError;
  renderJS.Mutex = Mutex;
  renderJS.getAbsoluteURL = getAbsoluteURL;
  renderJS.declareJS = declareJS;
  renderJS.declareCSS = declareCSS;
  renderJS.declareGadgetKlass = declareGadgetKlass;
  renderJS.parseGadgetHTMLDocument = parseGadgetHTMLDocument;
  renderJS.parseDocumentStringOrFail = parseDocumentStringOrFail;
  renderJS.loopEventListener = loopEventListener;
  renderJS.crashList = crash_list;
  renderJS.clearGadgetKlassList = function () {
    gadget_model_dict = {};
    javascript_registration_dict = {};
    stylesheet_registration_dict = {};
  };
  window.rJS = window.renderJS = renderJS;

  /////////////////////////////////////////////////////////////////
  // Bootstrap: the page (or the iframe document) is the root gadget
  /////////////////////////////////////////////////////////////////
  var all_dependency_loaded = RSVP.defer();
  renderJS.manualBootstrap = function () {
    all_dependency_loaded.resolve();
  };
  document.addEventListener('DOMContentLoaded', all_dependency_loaded.resolve, false);

  function RenderJSEmbeddedGadget() {
    RenderJSGadget.call(this);
  }

  function createLastAcquisitionGadget() {
    var last = new RenderJSGadget();
    last.__acquired_method_dict = {
      reportServiceError: function (argument_list) {
        letsCrash(argument_list[0]);
      }
    };
    last.__aq_parent = function (method_name) {
      throw new AcquisitionError('No gadget provides ' + method_name);
    };
    return last;
  }

  function configureMutationObserver(Klass, url, root_gadget) {
    var settings = parseGadgetHTMLDocument(document, url),
      key,
      observer;
    for (key in settings) {
      if (settings.hasOwnProperty(key)) {
        Klass.prototype['__' + key] = settings[key];
      }
    }
    root_gadget.element = document.body;
    root_gadget.state = {};
    settings.required_js_list.forEach(function (js) {
      javascript_registration_dict[js] = null;
    });
    settings.required_css_list.forEach(function (css) {
      stylesheet_registration_dict[css] = null;
    });
    gadget_loading_klass_list.shift();
    function eachGadget(node, callback) {
      var list,
        k;
      if (node.nodeType !== Node.ELEMENT_NODE) {
        return;
      }
      if (node.hasAttribute('data-gadget-url') && node._gadget !== undefined) {
        callback(node);
      }
      list = node.querySelectorAll('[data-gadget-url]');
      for (k = 0; k < list.length; k += 1) {
        if (list[k]._gadget !== undefined) {
          callback(list[k]);
        }
      }
    }
    observer = new MutationObserver(function (mutations) {
      mutations.forEach(function (mutation) {
        var i;
        if (mutation.type !== 'childList') {
          return;
        }
        for (i = 0; i < mutation.removedNodes.length; i += 1) {
          eachGadget(mutation.removedNodes[i], function (node) {
            deleteGadgetMonitor(node._gadget);
          });
        }
        for (i = 0; i < mutation.addedNodes.length; i += 1) {
          eachGadget(mutation.addedNodes[i], function (node) {
            if (document.contains(node)) {
              startService(node._gadget);
            }
          });
        }
      });
    });
    observer.observe(document.body, {childList: true, subtree: true});
    return root_gadget;
  }

  function bootstrap(url) {
    var Klass = RenderJSEmbeddedGadget,
      root_gadget,
      declare_method_list = ['getInterfaceList', 'getRequiredCSSList', 'getRequiredJSList',
        'getPath', 'getTitle', 'getMethodList'],
      notifyDeclareMethod = function (name) {
        declare_method_list.push(name);
      },
      embedded_channel,
      channel_ready,
      local_transaction_dict = {};

    ['ready', 'setState', 'onStateChange', 'declareService', 'declareJob', 'onEvent', 'onLoop',
      'declareAcquiredMethod', 'allowPublicAcquisition']
      .forEach(function (name) {
        Klass[name] = RenderJSGadget[name];
      });
    Klass.__ready_list = [];
    Klass.__service_list = RenderJSGadget.__service_list.slice();
    Klass.prototype = new RenderJSGadget();
    Klass.prototype.constructor = Klass;
    Klass.prototype.__path = url;
    Klass.prototype.__acquired_method_dict = {};
    Klass.declareMethod = function (name, callback, options) {
      var result = RenderJSGadget.declareMethod.apply(this, [name, callback, options]);
      notifyDeclareMethod(name);
      return result;
    };
    root_gadget = new Klass();
    setAqParent(root_gadget, createLastAcquisitionGadget());
    gadget_loading_klass_list.push(Klass);

    if (window.self === window.top) {
      channel_ready = RSVP.resolve();
    } else {
      // Wait up to 1 s for the parent to answer; without an answer, this document is a root.
      channel_ready = new RSVP.Promise(function (resolve) {
        var answered = false,
          timer = window.setTimeout(function () {
            if (!answered) {
              answered = true;
              embedded_channel.destroy();
              embedded_channel = undefined;
              resolve();
            }
          }, 1000);
        embedded_channel = Channel.build({
          window: window.parent,
          origin: '*',
          scope: 'renderJS',
          onReady: function () {
            var waiting = declare_method_list;
            if (answered) {
              return;
            }
            answered = true;
            window.clearTimeout(timer);
            declare_method_list = [];
            notifyDeclareMethod = function (name) {
              declare_method_list.push(new RSVP.Promise(function (done, fail) {
                embedded_channel.call({method: 'declareMethod', params: name, success: done,
                  error: fail});
              }));
            };
            waiting.forEach(notifyDeclareMethod);
            resolve();
          }
        });
      });
    }

    return new RSVP.Queue()
      .push(function () {
        return channel_ready;
      })
      .push(function () {
        return all_dependency_loaded.promise;
      })
      .push(function () {
        return RSVP.all(declare_method_list.filter(function (item) {
          return typeof item !== 'string';
        }));
      })
      .push(function () {
        if (embedded_channel !== undefined) {
          root_gadget.__aq_parent = Klass.prototype.__aq_parent = function (method_name,
                                                                            argument_list) {
            var call_id;
            return new RSVP.Promise(function (resolve, reject) {
              call_id = embedded_channel.call({
                method: 'acquire',
                params: [method_name, Array.prototype.slice.call(argument_list, 0)],
                success: resolve,
                error: function (value) {
                  reject(errorFromChannel(value));
                }
              });
            }, function (message) {
              embedded_channel.notify({method: 'cancelAcquiredMethodCall',
                params: [call_id, message]});
            });
          };
          embedded_channel.bind('methodCall', function (trans, params, transaction_id) {
            local_transaction_dict[transaction_id] = root_gadget[params[0]]
              .apply(root_gadget, params[1])
              .push(function (result) {
                delete local_transaction_dict[transaction_id];
                trans.complete(result);
              }, function (error) {
                delete local_transaction_dict[transaction_id];
                trans.error(errorToChannel(error));
              });
            trans.delayReturn(true);
          });
          embedded_channel.bind('cancelMethodCall', function (trans, params) {
            if (local_transaction_dict.hasOwnProperty(params[0])) {
              local_transaction_dict[params[0]].cancel(params[1]);
              delete local_transaction_dict[params[0]];
            }
          });
        }
        return configureMutationObserver(Klass, url, root_gadget);
      })
      .push(function () {
        var queue = new RSVP.Queue();
        clearGadgetInternalParameters(root_gadget);
        Klass.__ready_list.unshift(loadSubGadgetDOMDeclaration);
        Klass.__ready_list.push(function () {
          return startService(root_gadget);
        });
        Klass.__ready_list.forEach(function (callback) {
          queue.push(function () {
            return callback.call(root_gadget, root_gadget);
          });
        });
        return queue;
      })
      .push(function () {
        if (embedded_channel !== undefined) {
          embedded_channel.notify({method: 'ready'});
        }
      }, function (error) {
        letsCrash(error);
        if (embedded_channel !== undefined) {
          embedded_channel.notify({method: 'failed', params: String(error)});
        }
        throw error;
      });
  }

  bootstrap(removeHash(window.location.href));
}(window, document, RSVP));
