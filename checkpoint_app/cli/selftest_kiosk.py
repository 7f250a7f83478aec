"""The self-test's kiosk check: what a guard could leave the kiosk by that the program
itself cannot stop, and whether kiosk mode can start at all. A warning, never a failure:
a desktop install (no kiosk) is fine without any of it.

- The kernel's magic SysRq keys work under any X server: Alt+SysRq+R takes the keyboard
  from X, after which Ctrl+Alt+F2 reaches a text console (DontVTSwitch no longer applies),
  and Alt+SysRq+B reboots the PC. Debian's default (kernel.sysrq=438) allows both.
- Kiosk mode refuses to start without a usable admin PIN in the settings file."""

from __future__ import annotations

from pathlib import Path

SYSRQ = Path("/proc/sys/kernel/sysrq")


def check_kiosk(settings_path: Path | None = None) -> tuple[str, str]:
    from checkpoint_app.core import paths
    from checkpoint_app.core import settings as settings_mod

    problems = []
    sysrq = _sysrq()
    if sysrq not in (None, 0):
        problems.append(f"kernel.sysrq={sysrq}: Alt+SysRq+R then Ctrl+Alt+F2 leaves the kiosk for a text "
                        "console, Alt+SysRq+B reboots (set kernel.sysrq=0, installer guide section 4)")
    path = settings_path or paths.settings_file()
    settings, broken, _ = settings_mod.load_checked(path)
    if broken is not None:
        problems.append(f"settings file {path} unusable ({broken}): kiosk mode will not start")
    elif not settings.admin_pin:
        problems.append(f"no admin PIN in {path}: kiosk mode will not start (checkpoint-app set-pin)")
    if problems:
        return "warn", "; ".join(problems)
    return "ok", "no magic SysRq keys; an admin PIN is set"


def _sysrq() -> int | None:
    try:
        return int(SYSRQ.read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return None  # not Linux, or no /proc: nothing the kernel offers
