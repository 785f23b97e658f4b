"""Nur für die Tests: sperrt jeden Netzwerkzugriff eines Python-Prozesses außer zu localhost.

Die Tests starten die Notebook-Kernel mit diesem Ordner im PYTHONPATH; Python lädt `sitecustomize`
beim Start von selbst. Jeder Versuch, einen Rechner außerhalb von localhost zu erreichen (Namen
auflösen oder verbinden), scheitert mit OSError und wird in die Datei aus WORKSHOP_NETZPROTOKOLL
geschrieben; die Tests prüfen, dass sie leer bleibt. Der Workshop muss offline laufen.
"""

import os
import socket
import traceback

_LOG = os.environ.get("WORKSHOP_NETZPROTOKOLL")
_LOCAL = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "", None}


def _is_local(host):
    if isinstance(host, bytes):
        host = host.decode()
    return host in _LOCAL or (isinstance(host, str) and host.startswith("127."))


def _refuse(what):
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(f"{what}\n{''.join(traceback.format_stack(limit=12))}\n")
    raise OSError(f"Netzwerkzugriff gesperrt (Workshop-Test, alles muss offline laufen): {what}")


_getaddrinfo = socket.getaddrinfo
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def getaddrinfo(host, *args, **kwargs):
    if not _is_local(host):
        _refuse(f"getaddrinfo({host!r})")
    return _getaddrinfo(host, *args, **kwargs)


def _check(address):
    if isinstance(address, tuple) and not _is_local(address[0]):
        _refuse(f"connect({address!r})")


def connect(self, address):
    _check(address)
    return _connect(self, address)


def connect_ex(self, address):
    _check(address)
    return _connect_ex(self, address)


socket.getaddrinfo = getaddrinfo
socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
