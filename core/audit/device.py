"""A readable name for the device behind a User-Agent header: "Firefox on Windows", "Safari
on iPhone", "curl". Good enough for a person to recognise their own sign-ins; not a browser
detection library (the header is whatever the client chose to send)."""

from __future__ import annotations

import re

# Only the start of a header is read: real ones are a few hundred characters.
_READ = 512

# (pattern, name), first match wins. Order matters: Edge and Opera say "Chrome" too, Chrome says
# "Safari", and every Android browser says "Linux".
_BROWSERS = (
    (re.compile(r"\bEdg(?:e|A|iOS)?/"), "Edge"),
    (re.compile(r"\bOPR/|\bOpera\b"), "Opera"),
    (re.compile(r"\bSamsungBrowser/"), "Samsung Internet"),
    (re.compile(r"\bFirefox/|\bFxiOS/"), "Firefox"),
    (re.compile(r"\b(?:Headless)?Chrome/|\bCriOS/|\bChromium/"), "Chrome"),
    (re.compile(r"\bSafari/"), "Safari"),
)
_SYSTEMS = (
    (re.compile(r"\biPhone\b"), "iPhone"),
    (re.compile(r"\biPad\b"), "iPad"),
    (re.compile(r"\bAndroid\b"), "Android"),
    (re.compile(r"\bCrOS\b"), "ChromeOS"),
    (re.compile(r"\bWindows\b"), "Windows"),
    (re.compile(r"\bMac OS X\b|\bMacintosh\b"), "macOS"),
    (re.compile(r"\bLinux\b"), "Linux"),
)
# Programs rather than browsers: their product token names them ("curl/8.5.0" -> "curl").
_PROGRAM = re.compile(r"^([A-Za-z][A-Za-z0-9._-]{0,40})/[0-9]")
UNKNOWN = "Unknown device"


def device_name(user_agent: str | None) -> str | None:
    """ "Browser on system", the browser or system alone when only one is recognised, a program's
    own name (curl, python-httpx, okhttp), or UNKNOWN; None when no header was sent."""
    if user_agent is None:
        return None
    header = user_agent[:_READ].strip()
    browser = _first(_BROWSERS, header)
    system = _first(_SYSTEMS, header)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return browser or system
    program = _PROGRAM.match(header)
    if program and program.group(1) != "Mozilla":
        return program.group(1)
    return UNKNOWN


def _first(patterns: tuple[tuple[re.Pattern[str], str], ...], header: str) -> str | None:
    return next((name for pattern, name in patterns if pattern.search(header)), None)
