"""A short, recognisable name for the device a session was started on ("Firefox, Android").

Only the browser's and the system's names are kept, never the full User-Agent or an IP address:
enough for a member to recognise their own phone on the sessions page, and no more.
"""

from __future__ import annotations

from ua_parser import parse


def describe(user_agent: str) -> str:
    result = parse(user_agent[:1000])
    browser = result.user_agent.family if result.user_agent else ""
    system = result.os.family if result.os else ""
    if result.device and result.device.family not in ("", "Other", "Spider"):
        device = result.device.family
        system = f"{system} ({device})" if system and device not in system else system or device
    names = [name for name in (browser, system) if name and name != "Other"]
    return ", ".join(names)[:100]
