/* scanfield.js — the one way every scan or badge input reads a USB scanner.
 *
 * API (stable; other pages depend on it):
 *
 *   const detach = PackerScan.attach(input, {
 *     onScan(code, event) { ... },  // required: called with the scanned text on Enter or Tab
 *     clear: true,                  // optional: empty the field before onScan (default true)
 *   });
 *   detach();                       // removes the listeners again
 *
 *   PackerScan.latin(code, shift)   // the US-layout character of a physical key, or null:
 *                                   // PackerScan.latin("KeyD", true) === "D"
 *
 *   An attached field carries data-scanfield="on" (tests wait for it before typing).
 *
 * What it does and why:
 * - A USB scanner sends KEY CODES; the operating system's layout turns them into characters. With a
 *   Ukrainian, Russian or Bulgarian (phonetic or standard) layout active, "DC-SC-050" would arrive
 *   as Cyrillic letters and read as unknown. So whenever a key's character comes from a non-Latin
 *   layout, the character is rebuilt from the physical key (`KeyboardEvent.code` + Shift, US
 *   layout) and inserted in place of the layout's one.
 * - "Comes from a non-Latin layout": the key gave anything but a Latin letter on a letter key
 *   (`в` on KeyD; Bulgarian standard's "," on KeyQ), a non-ASCII character on a digit key (Czech
 *   `ě` on Digit2), or a key the browser could not name ("Process",
 *   "Unidentified"). After a letter key gave a non-Latin letter, the layout is known to be non-Latin
 *   and punctuation keys are rebuilt too (Russian "." on the Slash key means "/"), until a letter
 *   key gives a Latin letter again. Latin layouts (US, German, …) are left as they are.
 * - Enter and Tab end a scan (scanners are set to send either). An empty Enter or Tab does
 *   nothing special: Tab still moves on, Enter is swallowed (a stray Enter submits nothing).
 * - Stripping scanner prefixes/suffixes (AIM identifiers, GS1 separators) is the page's job, by
 *   its client's settings: this module hands over exactly what was scanned.
 */
(function () {
  "use strict";

  const PUNCT = {
    Minus: ["-", "_"], Equal: ["=", "+"], BracketLeft: ["[", "{"], BracketRight: ["]", "}"],
    Backslash: ["\\", "|"], IntlBackslash: ["\\", "|"], Semicolon: [";", ":"], Quote: ["'", '"'],
    Backquote: ["`", "~"], Comma: [",", "<"], Period: [".", ">"], Slash: ["/", "?"], Space: [" ", " "],
    NumpadDecimal: [".", "."], NumpadAdd: ["+", "+"], NumpadSubtract: ["-", "-"],
    NumpadMultiply: ["*", "*"], NumpadDivide: ["/", "/"],
  };
  const SHIFTED_DIGITS = ")!@#$%^&*(";

  /** The character the key `code` types on a US layout (with Shift or not), or null. */
  function latin(code, shift) {
    let m = /^Key([A-Z])$/.exec(code);
    if (m) return shift ? m[1] : m[1].toLowerCase();
    m = /^Digit([0-9])$/.exec(code);
    if (m) return shift ? SHIFTED_DIGITS[+m[1]] : m[1];
    m = /^Numpad([0-9])$/.exec(code);
    if (m) return m[1];
    const p = PUNCT[code];
    return p ? p[shift ? 1 : 0] : null;
  }

  const isAscii = (ch) => ch.length === 1 && ch.charCodeAt(0) < 0x80;
  const isLetterKey = (code) => /^Key[A-Z]$/.test(code);
  const isAlnumKey = (code) => /^(Key[A-Z]|Digit[0-9]|Numpad[0-9])$/.test(code);
  const oneChar = (key) => typeof key === "string" && Array.from(key).length === 1;

  function attach(input, options) {
    const onScan = options.onScan;
    const clear = options.clear !== false;
    let foreign = false;  // the last letter key gave a non-Latin letter

    function rebuilt(ev) {
      if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.isComposing) return null;
      const caps = ev.getModifierState && ev.getModifierState("CapsLock");
      const shift = isLetterKey(ev.code) ? ev.shiftKey !== !!caps : ev.shiftKey;
      const us = latin(ev.code, shift);
      if (us === null) return null;
      if (ev.key === "Process" || ev.key === "Unidentified") return us;
      if (!oneChar(ev.key)) return null;
      if (isLetterKey(ev.code)) {
        foreign = !/^[A-Za-z]$/.test(ev.key);  // Bulgarian standard types "," on KeyQ
        return foreign ? us : null;
      }
      if (!isAscii(ev.key)) return isAlnumKey(ev.code) || foreign ? us : null;
      return foreign && ev.key !== us ? us : null;
    }

    function insert(text) {
      const start = input.selectionStart ?? input.value.length;
      const end = input.selectionEnd ?? input.value.length;
      input.setRangeText(text, start, end, "end");
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function onKeydown(ev) {
      if (ev.key === "Enter" || ev.key === "Tab") {
        const code = input.value;
        if (!code) {
          if (ev.key === "Enter") ev.preventDefault();
          return;
        }
        ev.preventDefault();
        if (clear) input.value = "";
        onScan(code, ev);
        return;
      }
      const ch = rebuilt(ev);
      if (ch !== null) {
        ev.preventDefault();
        insert(ch);
      }
    }

    input.addEventListener("keydown", onKeydown);
    input.dataset.scanfield = "on";  // tests (and pages) can wait for the reader to be there
    return function detach() {
      input.removeEventListener("keydown", onKeydown);
      delete input.dataset.scanfield;
    };
  }

  window.PackerScan = { attach, latin };
})();
