"""A USB scanner as the browser sees it: trusted key events (CDP) under a chosen OS layout.

Playwright's own keyboard always types with a US layout. A scanner sends key codes, and the
operating system's layout decides the character, so here each key goes as one CDP key event
with the physical `code` and the character (`key`, `text`) the layout gives it.
"""

# code -> (character, character with Shift), for the keys the tests type.
LAYOUTS = {
    "us": {},
    "uk": {"KeyA": ("ф", "Ф"), "KeyB": ("и", "И"), "KeyC": ("с", "С"), "KeyD": ("в", "В"),
           "KeyE": ("у", "У"), "KeyG": ("п", "П"), "KeyI": ("ш", "Ш"), "KeyL": ("д", "Д"),
           "KeyQ": ("й", "Й"), "KeyS": ("і", "І"), "KeyT": ("е", "Е"), "Slash": (".", ",")},
    "ru": {"KeyA": ("ф", "Ф"), "KeyB": ("и", "И"), "KeyC": ("с", "С"), "KeyD": ("в", "В"),
           "KeyE": ("у", "У"), "KeyG": ("п", "П"), "KeyI": ("ш", "Ш"), "KeyL": ("д", "Д"),
           "KeyQ": ("й", "Й"), "KeyS": ("ы", "Ы"), "KeyT": ("е", "Е"), "Slash": (".", ",")},
    "bg-phonetic": {"KeyA": ("а", "А"), "KeyB": ("б", "Б"), "KeyC": ("ц", "Ц"),
                    "KeyD": ("д", "Д"), "KeyE": ("е", "Е"), "KeyG": ("г", "Г"),
                    "KeyI": ("и", "И"), "KeyL": ("л", "Л"), "KeyQ": ("я", "Я"),
                    "KeyS": ("с", "С"), "KeyT": ("т", "Т")},
    "bg-standard": {"KeyA": ("ь", "ѝ"), "KeyB": ("ф", "Ф"), "KeyC": ("ъ", "Ъ"),
                    "KeyD": ("а", "А"), "KeyE": ("е", "Е"), "KeyG": ("ж", "Ж"),
                    "KeyI": ("с", "С"), "KeyL": ("в", "В"), "KeyQ": (",", "ы"),
                    "KeyS": ("я", "Я"), "KeyT": ("ш", "Ш"), "Slash": ("б", "Б")},
}

US_SHIFTED = {")": "Digit0", "!": "Digit1", "@": "Digit2", "#": "Digit3", "$": "Digit4",
              "%": "Digit5", "^": "Digit6", "&": "Digit7", "*": "Digit8", "(": "Digit9",
              "_": "Minus", "+": "Equal", "?": "Slash", ":": "Semicolon"}
US_PLAIN = {"-": "Minus", "=": "Equal", "/": "Slash", ".": "Period", ",": "Comma",
            ";": "Semicolon", " ": "Space"}


def physical(ch):
    """The physical key and Shift a US-layout scanner sends for the character `ch`."""
    if ch.isascii() and ch.isalpha():
        return f"Key{ch.upper()}", ch.isupper()
    if ch.isdigit():
        return f"Digit{ch}", False
    if ch in US_SHIFTED:
        return US_SHIFTED[ch], True
    return US_PLAIN[ch], False


def key_event(page_cdp, code, key, text, shift=False, vk=0):
    modifiers = 8 if shift else 0
    page_cdp.send("Input.dispatchKeyEvent", {
        "type": "keyDown", "code": code, "key": key, "text": text, "unmodifiedText": text,
        "windowsVirtualKeyCode": vk, "modifiers": modifiers})
    page_cdp.send("Input.dispatchKeyEvent", {
        "type": "keyUp", "code": code, "key": key, "windowsVirtualKeyCode": vk,
        "modifiers": modifiers})


def scanner_type(page, code, layout="us", terminator="Enter"):
    """Type `code` as a scanner would with the OS `layout` active, then the terminator.

    Into the focused scan field, once its reader (static/js/scanfield.js) is attached.
    """
    page.wait_for_selector(":focus[data-scanfield='on']", state="attached")
    cdp = page.context.new_cdp_session(page)
    table = LAYOUTS[layout]
    for ch in code:
        key_code, shift = physical(ch)
        if key_code in table:
            typed = table[key_code][1 if shift else 0]
        else:
            typed = ch
        vk = ord(key_code[-1]) if key_code.startswith(("Key", "Digit")) else 0
        key_event(cdp, key_code, typed, typed, shift, vk)
    if terminator == "Enter":
        key_event(cdp, "Enter", "Enter", "\r", vk=13)
    elif terminator == "Tab":
        key_event(cdp, "Tab", "Tab", "", vk=9)
    cdp.detach()
