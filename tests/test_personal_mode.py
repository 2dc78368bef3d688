"""Personal mode answers only on loopback: `streamlit run app.py` as scripts/run.sh starts it (no address given,
so `.streamlit/config.toml` decides) listens on 127.0.0.1 alone, and the machine's other addresses get nothing.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from live_server import free_port, streamlit_server

pytestmark = pytest.mark.browser  # a real server, like the browser tests


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket in LISTEN state on `port`, from /proc/net/tcp and tcp6 (hex, as the kernel
    writes them: 0100007F is 127.0.0.1, 00000000 is every IPv4 interface)."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port and len(address) == width:
                found.add(address)
    return found


def other_addresses() -> list[str]:
    """This machine's IPv4 addresses that are not loopback (may be none in a sandbox)."""
    addresses = set()
    try:
        addresses |= {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    except OSError:
        pass
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:  # no packet is sent by connect() on UDP
        try:
            probe.connect(("10.255.255.255", 1))
            addresses.add(probe.getsockname()[0])
        except OSError:
            pass
    return sorted(a for a in addresses if not a.startswith("127.") and a != "0.0.0.0")


def test_personal_mode_listens_on_loopback_only(tmp_path):
    port = free_port()
    env = {**os.environ, "CORE_CADENCE_STORE": str(tmp_path / "store")}
    # No --server.address: `.streamlit/config.toml` decides, as when scripts/run.sh starts the app.
    with streamlit_server(REPO_ROOT / "app.py", port=port, address=None, cwd=REPO_ROOT, env=env,
                          log=tmp_path / "server.log"):
        listening = listening_addresses(port)
        assert listening == {"0100007F"}, f"listening on {listening} (0100007F is 127.0.0.1)"
        for address in other_addresses():
            with socket.socket() as client, pytest.raises(OSError):
                client.settimeout(2)
                client.connect((address, port))
