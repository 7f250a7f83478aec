"""The composition root: builds and wires the window, its threads and the demo, in one
logged order, and takes them down in one shutdown path (STYLE rule 2)."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, SignalInstance, Slot, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from checkpoint_app.cli_common import UsageError
from checkpoint_app.core import paths
from checkpoint_app.core import settings as settings_mod
from checkpoint_app.core.checkpoint import Context
from checkpoint_app.core.codes.signature import PublicKey, load_public_pem
from checkpoint_app.core.configuration import (
    Configuration,
    PlatformAccess,
    choose_keys,
    choose_platform,
    configured_keys,
)
from checkpoint_app.core.events import Station, station_from
from checkpoint_app.core.lookup.client import LookupPlatform
from checkpoint_app.core.scanning.exposure import ExposureLink
from checkpoint_app.core.scanning.mailbox import Mailbox
from checkpoint_app.core.scanning.pipeline import ScanPipeline
from checkpoint_app.core.settings import PinGuard, Settings
from checkpoint_app.core.trust.bundled import bundled_documents
from checkpoint_app.core.trust.key_files import KeyFileError
from checkpoint_app.core.visit import VisitMachine
from checkpoint_app.core.visit_state import Timeouts
from checkpoint_app.crash import RunMarker
from checkpoint_app.gui.admin import AdminFlows, SettingsService
from checkpoint_app.gui.i18n import LanguageSwitcher
from checkpoint_app.gui.main_window import MainWindow
from checkpoint_app.gui.sound import SoundPlayer
from checkpoint_app.gui.visit_controller import VisitController
from checkpoint_app.gui.visitor_window import start_visitor_display
from checkpoint_app.hardware.sources import FrameSource, open_source
from checkpoint_app.logs import route_qt_messages, setup_logging
from checkpoint_app.workers.camera_worker import CameraWorker
from checkpoint_app.workers.crash_bridge import CrashBridge
from checkpoint_app.workers.decode_worker import DecodeWorker
from checkpoint_app.workers.frames import Frame, PreviewFrame
from checkpoint_app.workers.lookup_worker import LookupWorker
from checkpoint_app.workers.refcounts import pin_singletons
from checkpoint_app.workers.store_worker import StoreWorker
from checkpoint_app.workers.sync_worker import SyncWorker
from checkpoint_app.workers.tasks import TaskRunner
from checkpoint_app.workers.threads import STOP_MS, WorkerThread, left_running
from checkpoint_app.workers.values import CameraState, RememberedSync

if TYPE_CHECKING:
    from checkpoint_app.demo.authority import DemoAuthority
    from checkpoint_app.demo.video import DemoVideo
    from checkpoint_app.workers.termination import SignalQuitter

log = logging.getLogger("checkpoint.app")
NO_CAMERA = "none"
STORE_STOP_MS = 15_000  # the records still queued, each bounded by SQLite's busy timeout
# The camera and the tasks thread hold no records, and what they may be stuck in cannot be
# interrupted: OpenCV's open or read (a stream that never answers, up to
# hardware.sources.STREAM_TIMEOUT_MS), a child process (pactl asking a wedged sound server,
# up to hardware.audio.PROBE_TIMEOUT_S). They are not waited for beyond this; run() then
# leaves without destroying their threads (a child process ends at its own timeout).
NO_RECORDS_STOP_MS = 1000


class Device(Protocol):
    """A scanner, thermometer, card reader or gate worker: started and stopped with the app."""

    def start(self) -> None: ...
    def stop(self) -> None: ...


class CheckpointApp(QObject):
    """Everything the window needs, built in `start()` and taken down in `shutdown()`.

    Signals: code_submitted(str, float): a code from a keyboard-wedge or serial scanner;
    platform_known(LookupPlatform | None): where lookups by ID document go (spec 5.1);
    platform_given(PlatformAccess): the settings dialog named another server or token."""

    code_submitted = Signal(str, float)
    platform_known = Signal(object)
    platform_given = Signal(object)

    def __init__(self, settings_path: Path, data_dir: Path, *, demo: bool = False, kiosk: bool = False,
                 camera: str | None = None, clock: Callable[[], float] = time.time,
                 bundled_documents: bool | None = None, language: str | None = None) -> None:
        """`bundled_documents`: decide in file mode with the documents in resources until a
        sync (default: only in the demo). `language`: for this run, instead of the settings'."""
        super().__init__()
        pin_singletons()  # before the first repaint: see workers/refcounts.py
        self.settings_path, self.data_dir, self.demo, self.kiosk = settings_path, data_dir, demo, kiosk
        self.bundled_documents = demo if bundled_documents is None else bundled_documents
        self.settings = settings_mod.load(settings_path)
        if language is not None:
            self.settings = dataclasses.replace(self.settings, language=language)
        self.camera_spec = camera if camera is not None else self.settings.camera
        self.clock = clock
        self.threads: list[WorkerThread] = []  # one per resource; the one road for background work
        self.tasks = TaskRunner(parent=self)  # one-shot jobs (a PIN's hash, the audio probe)
        self.authority: DemoAuthority | None = None
        self.decoder: DecodeWorker | None = None
        self.camera: CameraWorker | None = None
        self.exposure: ExposureLink | None = None  # the decode thread asks the camera thread for exposure
        self.sync: SyncWorker | None = None
        self.demo_video: DemoVideo | None = None
        self.hardware: list[Device] = []
        self.wedge: QObject | None = None
        self.crash_bridge: CrashBridge | None = None
        self.run_marker: RunMarker | None = None
        self._given_platform = PlatformAccess()  # the demo's own platform
        self.platform = PlatformAccess()  # the one synced with (core.configuration.choose_platform)
        self._stopped = False

    # -- building ----------------------------------------------------------------------------
    def start(self) -> MainWindow:
        """UsageError when a key file of the settings cannot be read: the checkpoint does not
        start with fewer keys than its operator pinned."""
        try:
            root_keys = configured_keys(self.settings, self.settings_path)
        except KeyFileError as exc:
            raise UsageError(str(exc)) from None
        log.info("start: language %s", self.settings.language)
        self.tasks.start()
        self.language = LanguageSwitcher()
        self.language.apply(self.settings.language)
        if self.demo:
            root_keys = self._start_demo_authority() or root_keys
        log.info("start: store in %s", self.data_dir)
        self.store = StoreWorker(self.data_dir, root_keys, self.settings.venue_type, bundled_context, self.clock,
                                 trust_fallback=self.bundled_documents)
        self._configured_keys = root_keys
        self._root_keys = root_keys
        self.store.ready.connect(self._on_store_ready)
        self.store.remembered_changed.connect(self._on_store_ready)
        log.info("start: window")
        self.window = MainWindow(demo=self.demo)
        self.window.visitor = start_visitor_display(self.settings.visitor_screen)
        self.sound = SoundPlayer(self.settings.sound_volume, self.settings.speech_volume, self.settings.language,
                                 tasks=self.tasks)
        self.sound.output_found.connect(lambda _: None if self._stopped else self._show_sound())
        self.machine = VisitMachine(self.station(), timeouts(self.settings))
        self.controller = VisitController(self.machine, self.window, self.sound, self._forget_codes, self.clock)
        self._wire_store()
        self._start_lookups()
        self._thread(self.store, "store")  # after the wiring: its first signals come at once
        self._start_camera()
        if self.demo:
            self._start_demo_thermometer()
        service = SettingsService(self._shown_settings, self.apply_settings,
                                  lambda: self.set_language(self.language.next_language()))
        pin_guard = PinGuard(self.settings_path.with_name("pin-state.json"), self.clock)
        self.admin = AdminFlows(self.window, self.controller, self.store, service, pin_guard, self.tasks)
        log.info("start: ready")
        return self.window

    def _start_demo_thermometer(self) -> None:
        """Nobody types in an unattended demo: readings arrive as from a serial thermometer."""
        from checkpoint_app.demo.thermometer import DemoThermometer

        self.demo_thermometer = DemoThermometer(self.machine, parent=self)
        self.controller.decision_shown.connect(lambda *_: self.demo_thermometer._on_screen_changed())
        self.demo_thermometer.temperature_read.connect(self.controller._on_temperature_measured)
        self.window.prompt.typed.connect(self.demo_thermometer.take_over)
        self.hardware.append(self.demo_thermometer)

    def station(self) -> Station:
        return station_from(lambda name: getattr(self.settings, name))

    def _thread(self, worker: QObject, name: str) -> None:
        t = WorkerThread(worker, name)
        self.threads.append(t)
        t.start()

    def _start_demo_authority(self) -> list[PublicKey]:
        try:
            from checkpoint_app.demo.authority import start_demo_authority
        except ImportError:
            log.info("demo: no in-process authority available; file mode with the bundled documents")
            return []
        auth = start_demo_authority(self.data_dir / "authority")
        self.authority = auth
        self.settings = dataclasses.replace(self.settings, server_url=auth.url, token=auth.token,
                                            checkpoint_id=auth.checkpoint_id, sync_interval_s=60)
        self._given_platform = PlatformAccess(auth.url, auth.token)  # as on a command line: before all else
        log.info("demo: authority on %s", auth.url)
        return [load_public_pem(auth.distribution_public_key.read_bytes())]

    def _wire_store(self) -> None:
        s, c = self.store, self.controller
        s.scanned.connect(c._on_scanned)
        s.context_changed.connect(c._on_context_changed)
        s.data_changed.connect(c._on_data_changed)
        c.rescan_requested.connect(s._on_code_read)
        s.recorded.connect(c._on_recorded)
        s.record_failed.connect(c._on_record_failed)
        c.record_requested.connect(s._on_record_requested)
        s.status_changed.connect(self.window.status._on_store_status)
        s.failed.connect(self._on_store_failed)
        self.platform_given.connect(s._on_platform_given)

    def _start_lookups(self) -> None:
        """Lookups by ID document (spec 5.1) in their own thread: they wait on the network."""
        self.lookups = LookupWorker(self.clock)
        self.controller.lookup_requested.connect(self.lookups._on_lookup_requested)
        self.lookups.answered.connect(self.controller._on_looked_up)
        self.platform_known.connect(self.lookups._on_platform_known)
        self._thread(self.lookups, "lookup")

    @Slot(str)
    def _on_store_failed(self, _kind: str) -> None:
        self.window.render_visit(self.machine.state, None, failed=True)

    @Slot(object)
    def _on_store_ready(self, remembered: RememberedSync) -> None:
        # Only now: the store thread has opened (and migrated) the file; one opener at a time.
        # What `sync --once` remembered in the data folder comes before the settings, for the
        # platform as for the keys (core.configuration: the command line's rule, one for both).
        s = self.settings
        self.platform = choose_platform(command_line=self._given_platform,
                                        remembered=PlatformAccess(remembered.server_url, remembered.token),
                                        configured=PlatformAccess(s.server_url, s.token))
        self._root_keys = choose_keys(remembered=remembered.root_keys, configured=lambda: self._configured_keys)
        p = self.platform
        known = p.server_url and p.token and self._root_keys
        self.platform_known.emit(LookupPlatform(p.server_url, p.token, tuple(self._root_keys)) if known else None)
        if p.server_url and self._root_keys and self.sync is None and not self._stopped:
            self._start_sync(self._root_keys)

    def _start_sync(self, root_keys: list[PublicKey]) -> None:
        s = self.settings
        upload_id = Configuration(self.settings_path, s).checkpoint_id()  # the CLI's rule (core.configuration)
        p = self.platform
        self.sync = SyncWorker(self.data_dir, p.server_url, p.token, root_keys, s.sync_interval_s, upload_id)
        self.sync.sync_started.connect(self.window.status._on_sync_started)
        self.sync.sync_finished.connect(self.window.status._on_sync_finished)
        self.sync.sync_finished.connect(self.store._on_synced)
        self._thread(self.sync, "sync")

    def _start_camera(self) -> None:
        decode_box: Mailbox[Frame] = Mailbox()
        self.preview_box: Mailbox[PreviewFrame] = Mailbox()
        if self.settings.camera_exposure_control and not self._no_camera():
            self.exposure = ExposureLink()
        self.decoder = DecodeWorker(decode_box, ScanPipeline(), exposure=self.exposure)
        self.decoder.code_read.connect(self.store._on_code_read)
        self.decoder.failed.connect(self._on_decoding_failed)
        self.decoder.recovered.connect(self._on_decoding_recovered)
        self._thread(self.decoder, "decode")
        if self._no_camera():
            self.window.status._on_camera_state(CameraState.NONE)  # a scanner-only site: no alarm
            self.window.scan.scanner_works(True, only=True)  # a prompt where the picture would be
            return
        self.camera = CameraWorker(self._make_source, decode_box, self.preview_box, self.exposure)
        self.camera.state_changed.connect(self.window.status._on_camera_state)
        self.camera.preview_ready.connect(self._on_preview_ready, Qt.ConnectionType.QueuedConnection)
        self._thread(self.camera, "camera")

    def _no_camera(self) -> bool:
        """`none`, or (outside the demo, whose default camera is its video) nothing at all: an
        installer who left the camera empty at a scanner-only site did not mean "camera 0"."""
        spec = self.camera_spec.strip().lower()
        return spec == NO_CAMERA or (spec == "" and not self.demo)

    def _make_source(self) -> FrameSource:
        """Runs in the camera thread, so making the demo video never holds up the window."""
        spec = self.camera_spec
        if self.demo and spec in ("", "0", "demo"):
            from checkpoint_app.demo.video import demo_video

            self.demo_video = demo_video(self.data_dir.parent / "video")
            spec = str(self.demo_video.path)
        return open_source(spec, loop=True)

    @Slot()
    def _on_preview_ready(self) -> None:
        frame = self.preview_box.take_nowait()
        if frame is not None:
            self.window.scan.preview.show_image(frame.image)

    def _show_device_health(self, failed: SignalInstance, device: str, works: SignalInstance) -> None:
        """A device's `failed` puts a red chip in the status bar until it `works` again."""
        bar = self.window.status
        failed.connect(lambda _why: bar.device_failed(device))
        works.connect(lambda *_: bar.device_working(device))

    def start_hardware(self, qapp: QCoreApplication) -> None:
        """Scanners besides the camera, the thermometer and the gate, from the settings.
        Not in start(): the tests drive the window without them."""
        from checkpoint_app.gui.wedge_filter import WedgeFilter
        from checkpoint_app.hardware.errors import DeviceSettingError
        from checkpoint_app.hardware.gate import make_gate
        from checkpoint_app.workers.hardware_workers import GateWorker, SerialScannerWorker, ThermometerWorker

        self.code_submitted.connect(self.store._on_code_read)
        self.wedge = WedgeFilter(self)
        self.wedge.scanned.connect(self._on_code_typed)
        qapp.installEventFilter(self.wedge)
        s = self.settings
        try:
            if s.scanner_serial_port:
                scanner = SerialScannerWorker(s.scanner_serial_port, parent=self)
                scanner.scanned.connect(self._on_code_typed)
                self._show_device_health(scanner.failed, "scanner", scanner.scanned)
                scanner.failed.connect(self.window.scan._on_scanner_failed)
                scanner.scanned.connect(self.window.scan._on_scanner_read)
                self.hardware.append(scanner)
            if s.thermometer_port:
                thermometer = ThermometerWorker(s.thermometer_port, s.thermometer_protocol, parent=self)
                thermometer.temperature_read.connect(self.controller._on_temperature_measured)
                self._show_device_health(thermometer.failed, "thermometer", thermometer.temperature_read)
                self.hardware.append(thermometer)
            if s.id_reader_serial_port:
                self._start_id_reader(s.id_reader_serial_port)
            gate = make_gate(s.gate_kind, serial_port=s.gate_serial_port, serial_command=s.gate_serial_command,
                             http_url=s.gate_http_url)
            if gate is not None:
                gate_worker = GateWorker(gate, parent=self)
                self.controller.entry_allowed.connect(gate_worker.open_gate)
                self.controller.entry_withdrawn.connect(gate_worker.withdraw)
                self._show_device_health(gate_worker.failed, "gate", gate_worker.opened)
                self.hardware.append(gate_worker)
        except DeviceSettingError as exc:  # a bad setting must not stop the checkpoint (a bug is not caught here)
            log.error("hardware not started: %s", exc)
        for worker in self.hardware:
            worker.start()

    def _start_id_reader(self, port: str) -> None:
        """A placed card starts a lookup as a scanned code starts a visit (spec 5.1)."""
        from checkpoint_app.workers.hardware_workers import IdCardReaderWorker

        reader = IdCardReaderWorker(port, parent=self)
        reader.card_read.connect(self.controller._on_document)
        reader.card_rejected.connect(self._on_card_rejected)
        self._show_device_health(reader.failed, "id_reader", reader.ready)
        self.hardware.append(reader)
        self.window.scan.id_reader = True
        self.window.retranslate()

    @Slot(str)
    def _on_decoding_failed(self, _why: str) -> None:
        self.window.status.device_failed("decoder")  # the camera shows, nothing is read: say so

    @Slot()
    def _on_decoding_recovered(self) -> None:
        self.window.status.device_working("decoder")

    @Slot(str)
    def _on_card_rejected(self, why: str) -> None:
        self.window.scan.card_not_read(why)

    def catch_bugs(self, *, leave: Callable[[int], None] = QCoreApplication.exit,
                   restart_after_ms: int | None = 5000) -> None:
        """A bug on any thread (PySide hands those of slots to sys.excepthook) is logged with
        its traceback, marked in the run marker, shown as "out of service" on the GUI thread,
        and `restart_after_ms` later the app leaves with crash.EXIT_RESTART for its supervisor."""
        from checkpoint_app.crash import MARKER_FILE

        self.run_marker = RunMarker(paths.log_dir() / MARKER_FILE)
        self.run_marker.start()
        self.crash_bridge = CrashBridge(self.controller.out_of_service, restart_after_ms=restart_after_ms,
                                        leave=leave, parent=self)
        self.crash_bridge.install(self.run_marker)

    @Slot(str)
    def _on_code_typed(self, text: str) -> None:
        self.code_submitted.emit(text.strip(), time.monotonic())

    def _forget_codes(self) -> None:
        if self.decoder is not None:
            self.decoder.forget_codes()

    # -- live changes ------------------------------------------------------------------------
    def _shown_settings(self) -> Settings:
        """The settings as the dialog shows them: with the server and token synced with
        (choose_platform), which a data folder's may be rather than the file's."""
        p = self.platform
        return dataclasses.replace(self.settings, server_url=p.server_url, token=p.token) if p.server_url \
            else self.settings

    def apply_settings(self, new: Settings) -> None:
        """Save, and apply what can change while running; the rest applies at the next start.
        OSError when the file cannot be written: then nothing changes. A server or token typed
        here is also remembered in the data folder, as `sync --server/--token` remembers them:
        it is the installer's latest word, and the data folder's comes before the file's."""
        shown = self._shown_settings()
        if not self.demo:
            try:
                settings_mod.save(self.settings_path, new)
            except OSError as exc:
                log.error("settings not saved to %s: %s; nothing changed", self.settings_path, exc.strerror or exc)
                raise
            if (new.server_url, new.token) != (shown.server_url, shown.token):
                self.platform_given.emit(PlatformAccess(new.server_url, new.token))
        self.settings = new
        self.sound.volume, self.sound.speech_volume = new.sound_volume, new.speech_volume
        self._show_sound()
        self.machine.station = self.station()
        self.machine.timeouts = timeouts(new)
        if new.language != self.language.language:
            self.set_language(new.language)

    def _show_sound(self) -> None:
        from checkpoint_app.hardware.audio import NoAudio

        self.window.status.show_sound(isinstance(self.sound.output, NoAudio),
                                      self.sound.volume == 0 and self.sound.speech_volume == 0)

    def set_language(self, language: str) -> None:
        self.language.apply(language)
        self.sound.language = language
        if self.settings.language != language:
            self.settings = dataclasses.replace(self.settings, language=language)
            if not self.demo:
                try:
                    settings_mod.save(self.settings_path, self.settings)
                except OSError as exc:  # F5 is the guard's: a full disk must not stop the checkpoint
                    log.error("language not saved to %s (%s): %s for this run only", self.settings_path,
                              exc.strerror or exc, language)
        self.window.retranslate()
        self.admin.retranslate()

    def abandon_start(self) -> None:
        """start() failed half way (a bug, a broken installation): end the threads it had
        started, or Qt aborts the process on destroying them and the error is lost in a core dump."""
        for t in reversed(self.threads):
            t.stop()
        self.tasks.stop()
        if self.authority is not None:
            self.authority.stop()

    # -- one shutdown path -------------------------------------------------------------------
    def shutdown(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        log.info("shutdown")
        self.controller.stop()
        self.sound.stop()
        self.admin.close_all()
        if self.window.visitor is not None:
            self.window.visitor.close()
        for t in self.threads:
            t.interrupt()  # all at once: a sync, a lookup and the decoder end what blocks them now
        for worker in self.hardware:
            worker.stop()
        if self.wedge is not None and (qapp := QApplication.instance()) is not None:
            qapp.removeEventFilter(self.wedge)
        for t in reversed(self.threads):
            if t.worker is not self.store:
                t.stop(NO_RECORDS_STOP_MS if t.worker is self.camera else STOP_MS)
        self.tasks.stop(NO_RECORDS_STOP_MS)
        for t in self.threads:
            if t.worker is self.store:
                t.stop(STORE_STOP_MS)  # last: pending records land before the store closes
        if self.authority is not None:
            self.authority.stop()
        self.language.release()
        if self.crash_bridge is not None:
            self.crash_bridge.uninstall()
        log.info("shutdown complete")


def bundled_context() -> Context:
    """File mode with the documents in resources: the store's fallback until a first sync."""
    trust, policy = bundled_documents()
    return Context(trust=trust, policy=policy)


def timeouts(s: Settings) -> Timeouts:
    return Timeouts(s.timeout_pass_s, s.timeout_refused_s, s.timeout_staff_s, s.timeout_prompt_s)


def _setup_logging(level: str) -> None:
    setup_logging(paths.log_dir(), level, console=True)


def run(args: argparse.Namespace) -> int:
    if args.demo:
        try:
            from checkpoint_app.demo.folders import demo_folders
        except ImportError as exc:  # an installation without the demo still starts as a checkpoint
            raise UsageError(f"--demo is not part of this installation ({exc.msg})") from None
        settings_path, data_dir = demo_folders()
    else:
        settings_path = paths.settings_file(args.config)
        data_dir = Path(args.data_dir) if args.data_dir else paths.data_dir()
    if not args.demo and not settings_path.exists():
        _first_start(settings_path)
    settings_mod.protect(settings_path)
    settings = settings_mod.load(settings_path)
    if (args.kiosk or settings.kiosk) and not settings.admin_pin:
        # A kiosk nobody can leave or configure, or whose first PIN anyone at the desk could choose.
        raise UsageError(_no_pin(settings_path))
    _setup_logging(settings.log_level)
    previous_handler = route_qt_messages()  # Qt's own warnings into the log (STYLE rule 7)
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    # SIGTERM (systemd, shutdown) and Ctrl+C leave through the same path as the PIN exit,
    # from the first step of the start on: one arriving before the loop runs is acted on
    # as soon as it does (before, it killed the process on the spot).
    release: list[Callable[[], None]] = []

    def leave() -> None:
        for undo in release:
            undo()
        QCoreApplication.exit(0)

    stopper = _signal_quitter(leave)
    app = CheckpointApp(settings_path, data_dir, demo=args.demo, kiosk=args.kiosk,
                        language=settings_mod.LANGUAGE_ARGS.get(getattr(args, "lang", None) or ""))
    try:
        window = app.start()
    except BaseException:
        app.abandon_start()
        if stopper is not None:
            stopper.close()
        raise
    app.start_hardware(qapp)
    app.catch_bugs()
    qapp.aboutToQuit.connect(app.shutdown)
    if args.kiosk or app.settings.kiosk:
        from PySide6.QtGui import QKeySequence, QShortcut

        from checkpoint_app.gui.kiosk import KioskController
        from checkpoint_app.gui.screensaver import ScreenSaverInhibitor

        kiosk = KioskController(window, check_pin=app.admin.check_pin_blocking,
                                inhibitor=ScreenSaverInhibitor(app.tasks))
        QShortcut(QKeySequence("Ctrl+Shift+X"), window, kiosk.request_exit)  # leave: asks for the PIN
        kiosk.enable()
        if window.visitor is not None:  # the queue's screen stays full screen too (it never takes the focus)
            kiosk.also_watch(window.visitor.keep_full_screen(parent=kiosk))
        release.append(kiosk.release)
    else:
        window.show_maximised()
    code: int = qapp.exec()
    for undo in release:
        undo()
    app.shutdown()
    if code == 0 and app.run_marker is not None:
        app.run_marker.clean_exit()
    if stopper is not None:
        stopper.close()
    # The way out is taken: a second SIGTERM or Ctrl+C (a guard pressing it again, systemd
    # and a terminal both) must not kill the interpreter's teardown or raise a
    # KeyboardInterrupt traceback in it; before, the default handlers were back here.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_IGN)
    qInstallMessageHandler(previous_handler)
    if left := left_running():  # a camera stuck in a driver call: Qt would abort on destroying it
        log.error("leaving without waiting for thread %s", ", ".join(left))
        logging.shutdown()
        os._exit(code)
    return code


def _no_pin(settings_path: Path) -> str:
    """Why kiosk mode has no admin PIN, in one line that says what to do."""
    _, broken, problems = settings_mod.load_checked(settings_path)
    if broken is not None:  # set-pin would not help: the file must be fixed (set-pin refuses it)
        return f"settings file {settings_path} unusable ({broken}): fix it (kiosk mode needs the admin PIN in it)"
    why = next((p.split("; ")[0] for p in problems if p.startswith("admin_pin")), None)
    detail = f" ({why})" if why else ""
    return f"no admin PIN in {settings_path}{detail}: run `checkpoint-app set-pin` first (kiosk mode needs it)"


def _first_start(settings_path: Path) -> None:
    """The first start writes the settings, in the system's language (Chinese when it says none)."""
    from PySide6.QtCore import QLocale

    language = settings_mod.language_for_locale(QLocale.system().name()) or settings_mod.Settings().language
    try:
        settings_mod.save(settings_path, settings_mod.Settings(language=language))
    except OSError as exc:
        log.warning("cannot write the first settings to %s: %s", settings_path, exc)


def _signal_quitter(leave: Callable[[], None]) -> SignalQuitter | None:
    try:
        from checkpoint_app.workers.termination import SignalQuitter
    except ImportError:
        return None
    return SignalQuitter(leave)
