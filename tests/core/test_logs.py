"""jiwen/core/logs.py: the archive's rotating log file and the terminal."""

from __future__ import annotations

import logging

import pytest

from jiwen.core import logs


@pytest.fixture(autouse=True)
def restore_loggers():
    yield
    for name in logs.LOGGER_NAMES:
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()
        logger.propagate = True
        logger.setLevel(logging.NOTSET)


def test_messages_go_to_the_archive_log_file_and_to_stderr(tmp_path, capsys):
    path = logs.setup_logging(tmp_path / "archive")
    logging.getLogger("jiwen.schedule").info("crawl %s: 湖南 finished", "demo")
    logging.getLogger("jiwen.schedule").debug("not shown without verbose")
    assert path == tmp_path / "archive" / "logs" / "jiwen.log"
    text = path.read_text("utf-8")
    assert "INFO jiwen.schedule: crawl demo: 湖南 finished" in text and "verbose" not in text
    assert "crawl demo: 湖南 finished" in capsys.readouterr().err


def test_setting_up_twice_does_not_double_every_line(tmp_path):
    logs.setup_logging(tmp_path)
    path = logs.setup_logging(tmp_path, verbose=True)
    logging.getLogger("jiwen").debug("once")
    assert path.read_text("utf-8").count("once") == 1


def test_the_file_rotates_and_keeps_a_bounded_number_of_old_files(tmp_path, monkeypatch):
    monkeypatch.setattr(logs, "LOG_BYTES", 2000)
    monkeypatch.setattr(logs, "LOG_BACKUPS", 2)
    path = logs.setup_logging(tmp_path)
    for number in range(200):
        logging.getLogger("jiwen").info("line %d of a long-running scheduler", number)
    files = sorted(file.name for file in path.parent.iterdir())
    assert files == ["jiwen.log", "jiwen.log.1", "jiwen.log.2"]
    assert all(file.stat().st_size <= 2000 for file in path.parent.iterdir())
    assert "line 199 " in path.read_text("utf-8")


def test_a_crawl_started_by_the_scheduler_leaves_the_file_to_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(logs.NO_LOG_FILE_ENV, "1")
    assert logs.setup_logging(tmp_path) is None
    logging.getLogger("jiwen").warning("to the terminal only")
    assert not (tmp_path / "logs").exists()
    assert "to the terminal only" in capsys.readouterr().err
