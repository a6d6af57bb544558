// RFC 8785 JSON Canonicalization Scheme (JCS), as cvid.ledger.canonical_json writes it.
//
// - object members sorted by their names as arrays of UTF-16 code units (RFC 8785 §3.2.3),
//   which is what Array.prototype.sort does with strings;
// - strings escaped as ECMAScript JSON.stringify does (RFC 8785 §3.2.2.2); a lone surrogate
//   cannot be UTF-8 and is refused (Python refuses it too);
// - numbers in the ECMAScript Number-to-String form (RFC 8785 §3.2.2.3), NaN and infinities
//   refused; an integer beyond ±(2^53 − 1) written without an exponent would reach the server
//   as an exact integer that no IEEE double holds, which the server refuses, so it is refused
//   here first;
// - no whitespace. The result is UTF-8 encoded by canonicalBytes.
"use strict";
(function () {
  const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

  function str(s, where) {
    if (LONE_SURROGATE.test(s)) throw new Error(`${where}: a lone surrogate cannot be written as UTF-8`);
    return JSON.stringify(s);
  }

  function canonicalize(value, where = "value") {
    if (value === null) return "null";
    switch (typeof value) {
      case "boolean":
        return value ? "true" : "false";
      case "number": {
        if (!Number.isFinite(value)) throw new Error(`${where}: ${value} is not a JSON number`);
        const text = JSON.stringify(value);
        if (Number.isInteger(value) && !Number.isSafeInteger(value) && !/e/.test(text)) {
          throw new Error(`${where}: ${text} is beyond ±(2^53 − 1) and cannot be exact`);
        }
        return text;
      }
      case "string":
        return str(value, where);
      case "object": {
        if (Array.isArray(value)) {
          return "[" + value.map((v, i) => canonicalize(v, `${where}[${i}]`)).join(",") + "]";
        }
        const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
        return "{" + keys.map((k) => str(k, where) + ":" + canonicalize(value[k], `${where}.${k}`)).join(",") + "}";
      }
      default:
        throw new Error(`${where}: ${typeof value} is not JSON`);
    }
  }

  function canonicalBytes(value) {
    return new TextEncoder().encode(canonicalize(value));
  }

  window.cvidJCS = { canonicalize, canonicalBytes };
})();
