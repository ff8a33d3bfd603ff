"""Export folders validated on load as model files are (issue 36): the schema and version of
``frontend.json``, its rates against its steps, its words against the network's outputs, each
``.tflite`` file opened with errors that name it; the int8 fallback; ``evaluate EXPORT_DIR``.
See docs/bad_input.rst."""

import json
import shutil

import numpy as np
import pytest
from conftest import make_tone_commands

pytest.importorskip("tensorflow")
pytest.importorskip("scikeras")
pytest.importorskip("ai_edge_litert")

pytestmark = pytest.mark.slow

TINY = dict(stem_filters=4, filters=(4,), kernel_sizes=3, strides=(1,), batch_size=16)


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """A tiny KWS network (one epoch on tones) exported to float and int8, and its clips."""
    from skspeech.export import export_tflite
    from skspeech.pipelines import kws_pipeline

    X, y = make_tone_commands(n_per_class=4, sr=8000, random_state=0)
    model = kws_pipeline(sr=8000, duration=0.5, n_copies=0, epochs=1, random_state=0,
                         validation_fraction=None, **TINY).fit(X, y)
    folder = tmp_path_factory.mktemp("export") / "tfl"
    export_tflite(model, folder, representative=X)
    return folder, model, X, y


def _copy(export, tmp_path, edit=None):
    """A copy of the export folder with ``edit(settings)`` applied to its frontend.json."""
    folder = tmp_path / "copy"
    shutil.copytree(export[0], folder)
    if edit is not None:
        settings = json.loads((folder / "frontend.json").read_text())
        edit(settings)
        (folder / "frontend.json").write_text(json.dumps(settings))
    return folder


def test_frontend_json_records_its_format_and_version(export):
    settings = json.loads((export[0] / "frontend.json").read_text())
    assert settings["format"] == "skspeech-export" and settings["format_version"] == 1


def test_optional_listener_settings_and_files_without_version_are_accepted(export, tmp_path):
    from skspeech.export import load_exported

    def edit(s):
        s["listener"] = {"threshold": 0.97, "smoothing": 3, "gate_db": 12,
                         "false_alarms_per_hour": 2.0}
        del s["format"], s["format_version"]  # an export written before they were recorded

    model = load_exported(_copy(export, tmp_path, edit))
    np.testing.assert_allclose(model.predict_proba(export[2][:4]),
                               export[1].predict_proba(export[2][:4]), atol=1e-4)


@pytest.mark.parametrize("edit, match", [
    (lambda s: s.update(sr=16000), r"frontend.json' says sr=16000 Hz, but its steps take clips "
                                   r"at 8000 Hz.*export the model again"),
    (lambda s: s.update(model_sr=16000), "says model_sr=16000 Hz, but its steps compute"),
    (lambda s: s["steps"]["padtrim"].update(sr=16000),
     "step 'features' expects 8000 Hz but step 'padtrim' gives it clips at 16000 Hz"),
    (lambda s: s.update(classes=["high", "low"]),
     r"frontend.json' lists 2 words, but the network in '.*model_float.tflite' gives 3 "
     r"probabilities.*Export the model again"),
    (lambda s: s.update(classes=["high", "low", "low"]), "expected each word once"),
    (lambda s: s.update(classes="high low mid"), "classes is 'high low mid', expected the list"),
    (lambda s: s.update(format_version=2), "format version 2, newer than this skspeech reads.*"
                                           "upgrade skspeech"),
    (lambda s: s.update(format_version="one"), "damaged: its format_version is 'one'"),
    (lambda s: s.update(format="something-else"), "says it is a 'something-else' file"),
    (lambda s: s.pop("classes"), "lacks 'classes'; it was not written by skspeech export"),
    (lambda s: s.update(input_shape=[1, "49", 40]), "input_shape is .*expected the network's"),
    (lambda s: s.update(sr=-8000), "sr is -8000, expected a sample rate"),
    (lambda s: s.update(listener=[0.97]), "listener is \\[0.97\\], expected an object"),
    (lambda s: s["files"].update(float="../../elsewhere.tflite"),
     "expected plain .tflite file names in the export folder"),
    (lambda s: s.update(n_samples=8000), r"front end of .* gives features of shape \(99, 40\) "
                                         r"per clip, but the network takes \(49, 40\)"),
    (lambda s: s["steps"]["features"].update(n_mels=20), "gives features of shape"),
])
def test_damaged_frontend_json_is_refused_naming_it(export, tmp_path, edit, match):
    from skspeech.export import load_exported

    folder = _copy(export, tmp_path, edit)
    with pytest.raises(ValueError, match=match) as info:
        load_exported(folder)
    assert str(folder) in str(info.value)


@pytest.mark.parametrize("content", [b"[1, 2]", b"{not json", b"\xff\xfe\x00binary", b"3", b"",
                                     b"  \n"])
def test_frontend_json_that_is_not_an_object_is_refused(export, tmp_path, content):
    from skspeech.export import load_exported

    folder = _copy(export, tmp_path)
    (folder / "frontend.json").write_bytes(content)
    with pytest.raises(ValueError, match="frontend.json.*(not a readable|holds a JSON).*[Ee]xport"
                                         " the model again"):
        load_exported(folder)


@pytest.mark.parametrize("cut", [0, 2000, -200])
def test_truncated_tflite_is_refused_naming_the_file(export, tmp_path, cut):
    from skspeech.export import load_exported

    folder = _copy(export, tmp_path)
    path = folder / "model_float.tflite"
    path.write_bytes(path.read_bytes()[:cut])
    with pytest.raises(ValueError, match=r"model_float.tflite' (is empty|is not a TFLite model)"
                                         r".*[Ee]xport the model again"):
        load_exported(folder)
    assert "Flatbuffer" not in str(excinfo_message(folder))


def excinfo_message(folder):
    from skspeech.export import load_exported

    with pytest.raises(ValueError) as info:
        load_exported(folder)
    return info.value


def test_foreign_file_in_place_of_the_tflite_is_named(export, tmp_path):
    folder = _copy(export, tmp_path)
    (folder / "model_float.tflite").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 200)
    message = str(excinfo_message(folder))
    assert "model_float.tflite' is not a TFLite model that can run: it is not a TFLite file " \
           "(no TFL3 header)" in message and "Export the model again" in message


def test_folder_with_only_the_int8_file_runs_it(export, tmp_path):
    from skspeech.export import load_exported, load_model_or_export

    folder = _copy(export, tmp_path)
    (folder / "model_float.tflite").unlink()
    model, meta = load_model_or_export(folder, return_metadata=True)
    assert model.variant == meta["variant"] == "int8"
    assert set(model.predict(export[2])) <= {"high", "low", "mid"}
    with pytest.raises(FileNotFoundError, match="has no float model \\('model_float.tflite', "
                                                "which its frontend.json lists, is missing\\); "
                                                "it has: int8"):
        load_exported(folder, variant="float")
    (folder / "model_int8.tflite").unlink()
    with pytest.raises(FileNotFoundError, match="it has: no .tflite file"):
        load_exported(folder)


def test_evaluate_takes_an_export_folder(export, tmp_path, capsys):
    from skspeech.cli import main
    from skspeech.io import write_audio

    folder, model, X, y = export
    data = tmp_path / "data"
    for i, (x, w) in enumerate(zip(X, y)):
        (data / w).mkdir(parents=True, exist_ok=True)
        write_audio(data / w / f"spk{i % 3}_nohash_{i}.wav", x, 8000)
    assert main(["evaluate", str(folder), str(data), "--subset", "all", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert f"Accuracy on {len(y)} clips" in out
    assert main(["evaluate", str(folder), str(data), "--subset", "all", "--quiet",
                 "--int8"]) == 0
    assert f"Accuracy on {len(y)} clips" in capsys.readouterr().out
    # a folder that is not an export still says what it takes
    assert main(["evaluate", str(data), str(data), "--quiet"]) == 1
    assert "folder without frontend.json" in capsys.readouterr().err


def test_export_folder_whose_name_is_not_utf8_opens(export, tmp_path):
    import os
    import sys

    from skspeech.export import load_exported

    if sys.platform != "linux":
        pytest.skip("file names are arbitrary bytes on Linux only")
    folder = os.fsdecode(os.path.join(os.fsencode(tmp_path), b"export \xe9"))
    shutil.copytree(export[0], folder)
    model = load_exported(folder)
    np.testing.assert_allclose(model.predict_proba(export[2][:3]),
                               export[1].predict_proba(export[2][:3]), atol=1e-4)


def test_frontend_json_given_for_its_folder_opens_the_folder(export):
    from skspeech.export import is_export, load_model_or_export

    path = export[0] / "frontend.json"
    assert is_export(path)
    model = load_model_or_export(path)
    assert model.variant == "float" and model.path == export[0] / "model_float.tflite"
