/*
 * ============================================================================================
 *  TEST HARNESS, NOT RSVP. Never serve this file as an ERP5 site's rsvp.js.
 * ============================================================================================
 * A small stand-in for Nexedi's RSVP.js (the promise library that RenderJS and ERP5 pages load as
 * `rsvp.js`), written for rtc-gadgets' tests and demo because RenderJS and its RSVP are not on npm.
 * It implements what test/renderjs/harness/renderjs.js and ERP5-style gadgets use:
 *
 *   RSVP.Promise(resolver, canceller) with .then, .fail, .always and .cancel(msg): a cancelled
 *     promise calls its canceller, cancels what it was following (its parent in a .then chain, or
 *     the promise it was resolved with) and rejects with RSVP.CancellationError;
 *   RSVP.Queue(initial?) with .push(onFulfilled, onRejected) and .cancel(); it settles when the
 *     last pushed step settles; pushing after it settled throws, as in RSVP;
 *   RSVP.all, RSVP.any, RSVP.resolve, RSVP.reject, RSVP.defer, RSVP.delay(ms), RSVP.timeout(ms),
 *   RSVP.CancellationError.
 *
 * Known differences from the real library: built on native promises (callbacks run as microtasks);
 * no progress notifications, no RSVP.on('error'), no RSVP.hash/map/filter; rejections nobody
 * handles are not reported. Loading it twice keeps the first copy.
 */
/*global window */
(function (window) {
  'use strict';

  if (window.RSVP && window.RSVP.__harness) {
    return;
  }

  function CancellationError(message) {
    this.name = 'cancel';
    if (message !== undefined && typeof message !== 'string') {
      throw new TypeError('You must pass a string.');
    }
    this.message = message || 'Default Message';
  }
  CancellationError.prototype = new Error();
  CancellationError.prototype.constructor = CancellationError;

  function ResolvedQueueError(message) {
    this.name = 'resolved';
    this.message = message || 'Cannot push on a resolved queue';
  }
  ResolvedQueueError.prototype = new Error();
  ResolvedQueueError.prototype.constructor = ResolvedQueueError;

  function isThenable(value) {
    return value !== null && (typeof value === 'object' || typeof value === 'function') &&
      typeof value.then === 'function';
  }

  function RSVPPromise(resolver, canceller) {
    var promise = this;
    if (!(this instanceof RSVPPromise)) {
      throw new TypeError("Failed to construct 'Promise': use the 'new' operator");
    }
    this._canceller = canceller;
    this._following = null;
    this.isFulfilled = false;
    this.isRejected = false;
    this._native = new Promise(function (resolve, reject) {
      promise._settleResolve = resolve;
      promise._settleReject = reject;
    });
    this._native.then(function (value) {
      promise.isFulfilled = true;
      promise.fulfillmentValue = value;
    }, function (reason) {
      promise.isRejected = true;
      promise.rejectedReason = reason;
    });
    function resolve(value) {
      if (promise._locked) {
        return;
      }
      promise._locked = true;
      if (isThenable(value)) {
        promise._following = value;
        value.then(promise._settleResolve, promise._settleReject);
      } else {
        promise._settleResolve(value);
      }
    }
    function reject(reason) {
      if (promise._locked) {
        return;
      }
      promise._locked = true;
      promise._settleReject(reason);
    }
    try {
      resolver(resolve, reject);
    } catch (error) {
      reject(error);
    }
  }

  RSVPPromise.prototype.then = function (onFulfilled, onRejected) {
    var parent = this;
    return new RSVPPromise(function (resolve, reject) {
      parent._native.then(function (value) {
        if (typeof onFulfilled !== 'function') {
          return resolve(value);
        }
        try {
          resolve(onFulfilled(value));
        } catch (error) {
          reject(error);
        }
      }, function (reason) {
        if (typeof onRejected !== 'function') {
          return reject(reason);
        }
        try {
          resolve(onRejected(reason));
        } catch (error) {
          reject(error);
        }
      });
    }, function (message) {
      parent.cancel(message);
    });
  };

  RSVPPromise.prototype.fail = function (onRejected) {
    return this.then(undefined, onRejected);
  };

  RSVPPromise.prototype.always = function (callback) {
    return this.then(callback, callback);
  };

  RSVPPromise.prototype.cancel = function (message) {
    var following = this._following;
    if (this.isFulfilled || this.isRejected || this._cancelled) {
      return;
    }
    this._cancelled = true;
    this._locked = true;
    if (typeof this._canceller === 'function') {
      try {
        this._canceller(message);
      } catch (ignore) {
        // a failing canceller does not prevent the cancellation
      }
    }
    if (following && typeof following.cancel === 'function') {
      following.cancel(message);
    }
    this._settleReject(new CancellationError(message));
  };

  function resolve(value) {
    return new RSVPPromise(function (done) {
      done(value);
    });
  }

  function reject(reason) {
    return new RSVPPromise(function (done, fail) {
      fail(reason);
    });
  }

  function cancelAll(list, message) {
    list.forEach(function (item) {
      if (item && typeof item.cancel === 'function') {
        item.cancel(message);
      }
    });
  }

  function all(list) {
    return new RSVPPromise(function (done, fail) {
      Promise.all(list).then(done, function (reason) {
        cancelAll(list, 'RSVP.all: a promise failed');
        fail(reason);
      });
    }, function (message) {
      cancelAll(list, message);
    });
  }

  function any(list) {
    return new RSVPPromise(function (done, fail) {
      var rejected = 0;
      if (list.length === 0) {
        fail(new Error('RSVP.any: empty list'));
      }
      list.forEach(function (item) {
        resolve(item).then(done, function (reason) {
          rejected += 1;
          if (rejected === list.length) {
            fail(reason);
          }
        });
      });
    }, function (message) {
      cancelAll(list, message);
    });
  }

  function defer() {
    var deferred = {};
    deferred.promise = new RSVPPromise(function (done, fail) {
      deferred.resolve = done;
      deferred.reject = fail;
    });
    return deferred;
  }

  function delay(ms) {
    var timer;
    return new RSVPPromise(function (done) {
      timer = setTimeout(done, ms);
    }, function () {
      clearTimeout(timer);
    });
  }

  function timeout(ms) {
    var timer;
    return new RSVPPromise(function (done, fail) {
      timer = setTimeout(function () {
        fail(new Error('Timed out after ' + ms + ' ms'));
      }, ms);
    }, function () {
      clearTimeout(timer);
    });
  }

  function Queue(initial) {
    var queue = this;
    if (!(this instanceof Queue)) {
      throw new TypeError("Failed to construct 'Queue': use the 'new' operator");
    }
    this._settled = false;
    this._tail = arguments.length === 0 ? resolve() : resolve(initial);
    this._promise = new RSVPPromise(function (done, fail) {
      queue._done = done;
      queue._fail = fail;
    }, function (message) {
      queue._tail.cancel(message);
    });
    this._watch();
  }

  Queue.prototype._watch = function () {
    var queue = this,
      tail = this._tail;
    tail._native.then(function (value) {
      if (tail === queue._tail && !queue._settled) {
        queue._settled = true;
        queue._done(value);
      }
    }, function (reason) {
      if (tail === queue._tail && !queue._settled) {
        queue._settled = true;
        queue._fail(reason);
      }
    });
  };

  Queue.prototype.push = function (onFulfilled, onRejected) {
    if (this._settled) {
      throw new ResolvedQueueError();
    }
    this._tail = this._tail.then(onFulfilled, onRejected);
    this._watch();
    return this;
  };

  Queue.prototype.then = function (onFulfilled, onRejected) {
    return this._promise.then(onFulfilled, onRejected);
  };

  Queue.prototype.fail = function (onRejected) {
    return this._promise.fail(onRejected);
  };

  Queue.prototype.always = function (callback) {
    return this._promise.always(callback);
  };

  Queue.prototype.cancel = function (message) {
    this._promise.cancel(message);
  };

  window.RSVP = {
    __harness: true,
    Promise: RSVPPromise,
    Queue: Queue,
    CancellationError: CancellationError,
    ResolvedQueueError: ResolvedQueueError,
    all: all,
    any: any,
    resolve: resolve,
    reject: reject,
    defer: defer,
    delay: delay,
    timeout: timeout
  };
}(window));
