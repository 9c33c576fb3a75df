"""archive.processes.die_with_parent: a forked child never outlives its parent, even when
the parent dies before the child asks to die with it."""

import subprocess
import sys
import textwrap
import time

from tests.processes import ROOT

PARENT = textwrap.dedent(
    """
    import multiprocessing, os, pathlib, sys, time
    sys.path.insert(0, {root!r})
    from archive.processes import die_with_parent

    def child(marker, late):
        time.sleep(late)  # the parent may be gone by now
        die_with_parent()
        pathlib.Path(marker).write_text(str(os.getpid()))
        time.sleep(3)  # alive a while: the parent's death must end it
        pathlib.Path(marker + ".survived").write_text("yes")

    if __name__ == "__main__":
        marker, late = sys.argv[1], float(sys.argv[2])
        multiprocessing.get_context("fork").Process(target=child, args=(marker, late)).start()
        time.sleep(0.5)
        os._exit(0)  # as a kill would: no cleanup, no join
    """
)


def run_parent(tmp_path, late: float):
    marker = tmp_path / "child"
    script = tmp_path / "parent.py"
    script.write_text(PARENT.format(root=str(ROOT)))
    subprocess.run([sys.executable, str(script), str(marker), str(late)], check=True, timeout=30)
    time.sleep(late + 3.5)  # longer than the child would live if nothing ended it
    return marker


def test_a_child_dies_with_its_parent(tmp_path):
    marker = run_parent(tmp_path, late=0)
    assert marker.exists()  # it ran, and asked in time
    assert not marker.with_name("child.survived").exists()


def test_a_child_whose_parent_died_before_it_asked_ends_at_once(tmp_path):
    """getppid() read in the child after its parent's death is the adopting process's:
    the parent's pid must come from before the fork."""
    marker = run_parent(tmp_path, late=1.0)
    assert not marker.exists()
    assert not marker.with_name("child.survived").exists()
