"""Screen saver inhibition against a real D-Bus session bus (a private dbus-daemon) and an
org.freedesktop.ScreenSaver service written with QtDBus, both in their own processes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.needs_programs("dbus-run-session")

SERVICE = """
import sys
from PySide6.QtCore import ClassInfo, QCoreApplication, QObject, Slot
from PySide6.QtDBus import QDBusConnection

@ClassInfo({"D-Bus Interface": "org.freedesktop.ScreenSaver"})
class ScreenSaver(QObject):
    @Slot(str, str, result="uint")
    def Inhibit(self, app, reason):
        print("Inhibit", app, "/", reason, flush=True)
        return 42

app = QCoreApplication(sys.argv)
bus = QDBusConnection.sessionBus()
saver = ScreenSaver()
ok = bus.registerObject("/org/freedesktop/ScreenSaver", saver, QDBusConnection.RegisterOption.ExportAllSlots)
print("ready", ok and bus.registerService("org.freedesktop.ScreenSaver"), flush=True)
app.exec()
"""

CLIENT = """
import subprocess, sys, time
from PySide6.QtCore import QCoreApplication
from PySide6.QtDBus import QDBusConnection, QDBusMessage
from checkpoint_app.gui.screensaver import ScreenSaverInhibitor
from checkpoint_app.workers.tasks import TaskRunner

service = subprocess.Popen([sys.executable, "-c", sys.argv[1]], stdout=subprocess.PIPE, text=True)
assert service.stdout.readline().strip() == "ready True"
app = QCoreApplication([])

def has_owner(name):
    msg = QDBusMessage.createMethodCall("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                        "org.freedesktop.DBus", "NameHasOwner")
    msg.setArguments([name])
    return QDBusConnection.sessionBus().call(msg).arguments()[0]

tasks = TaskRunner()
tasks.start()
inhibitor = ScreenSaverInhibitor(tasks)
inhibitor.inhibit()
print("inhibit", inhibitor.pending, inhibitor.active, flush=True)  # asked from the tasks thread
deadline = time.monotonic() + 10
while inhibitor.pending and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.01)
print("answered", inhibitor.pending, inhibitor.active, flush=True)
print("service saw:", service.stdout.readline().strip(), flush=True)
owner = inhibitor._bus.name
print("connected", has_owner(owner), flush=True)
inhibitor.release()
deadline = time.monotonic() + 5  # the bus drops the closed connection's name asynchronously
while has_owner(owner) and time.monotonic() < deadline:
    time.sleep(0.02)
print("after release", has_owner(owner), inhibitor.active, flush=True)
tasks.stop()
service.kill()
"""


def test_inhibit_and_release_over_a_real_session_bus() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(["dbus-run-session", "--", sys.executable, "-c", CLIENT, SERVICE], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "inhibit True False",
        "answered False True",
        "service saw: Inhibit checkpoint / Kiosk checkpoint is scanning",
        "connected True",
        "after release False False",  # the private connection left the bus: the service drops the inhibition
    ]
