"""Model files (seqmem.model_file), records from files (seqmem.records) and fit_record."""

import json
import zipfile

import numpy as np
import pytest

from seqmem.data_fit import fit_record
from seqmem.errors import SeqmemValueError
from seqmem.model_file import load_model, save_model
from seqmem.records import load_sequences
from seqmem.rnn import LinearRNN
from seqmem.tanh_rnn import TanhRNN

MODELS = {
    "diagonal": LinearRNN.from_rates([0.5, 3.0], [1.0, -0.25]),
    "complex": LinearRNN(np.array([-0.5 + 2j, -1.0]), np.ones(2), np.array([0.3 - 0.2j, 1.0])),
    "dense": LinearRNN(np.array([[-1.0, 0.4], [-0.3, -2.0]]), np.array([1.0, 0.5]), [0.2, 1.0]),
    "tanh": TanhRNN([0.5, 2.0], [0.3, -0.2], [1.0, 0.5], [[0.0, 0.1], [-0.1, 0.0]]),
}


@pytest.mark.parametrize("name", list(MODELS))
def test_a_saved_model_loads_back_with_the_same_outputs(tmp_path, name):
    model = MODELS[name]
    path = save_model(model, tmp_path / "m.npz", dt=0.1, metadata={"note": name})
    loaded, info = load_model(path)
    assert type(loaded) is type(model)
    assert info == {"dt": 0.1, "metadata": {"note": name}}
    x = np.random.default_rng(0).standard_normal((2, 50))
    np.testing.assert_array_equal(loaded.outputs(x, 0.1), model.outputs(x, 0.1))
    with np.load(path, allow_pickle=False) as file:  # plain arrays: no pickle needed
        assert not any(file[k].dtype == object for k in file.files)


def test_bad_model_files_get_one_line_errors(tmp_path):
    good = save_model(MODELS["diagonal"], tmp_path / "good.npz")
    assert load_model(good)[1]["dt"] is None
    (tmp_path / "garbage.npz").write_bytes(b"not a zip file")
    np.savez(tmp_path / "other.npz", W=np.ones(2))
    np.savez(
        tmp_path / "unstable.npz", format=np.array("seqmem-model/1"), kind=np.array("linear"),
        W=np.array([0.5]), U=np.ones(1), c=np.ones(1), dt=np.array(0.1),
        metadata=np.array("{}"),
    )  # fmt: skip
    np.savez(tmp_path / "partial.npz", format=np.array("seqmem-model/1"), kind=np.array("tanh"))
    cases = {
        "missing.npz": "no model file",
        "garbage.npz": "not a readable seqmem model file",
        "other.npz": "is not a seqmem-model/1 file",
        "unstable.npz": "holds an invalid model: W has an eigenvalue",
        "partial.npz": "lacks the array 'rates'",
    }
    for name, message in cases.items():
        with pytest.raises(SeqmemValueError, match=message) as error:
            load_model(tmp_path / name)
        assert "\n" not in str(error.value)


def test_a_failed_save_leaves_the_existing_file_intact(tmp_path):
    path = save_model(MODELS["tanh"], tmp_path / "m.npz")
    before = path.read_bytes()
    with pytest.raises(SeqmemValueError, match="metadata of save_model must be JSON"):
        save_model(MODELS["diagonal"], path, metadata={"bad": object()})
    with pytest.raises(SeqmemValueError, match="cannot write the model file"):
        save_model(MODELS["diagonal"], tmp_path / "no-such-folder" / "m.npz")
    with pytest.raises(SeqmemValueError, match="takes a LinearRNN or a TanhRNN"):
        save_model("model", path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz"]  # no temporary left


def test_records_from_csv_and_npz(tmp_path):
    rng = np.random.default_rng(1)
    u, y = rng.standard_normal(25), rng.standard_normal(25)
    rows = "\n".join(
        f"{k},{float(a)!r},{float(b)!r}" for k, (a, b) in enumerate(zip(u, y, strict=True))
    )
    (tmp_path / "r.csv").write_text("t,u,y\n" + rows + "\n")
    x_csv, y_csv = load_sequences(tmp_path / "r.csv", "u", "y")
    np.testing.assert_array_equal(x_csv, u[None, :])
    np.testing.assert_array_equal(y_csv, y[None, :])
    windows = load_sequences(tmp_path / "r.csv", "u", "y", length=10)
    np.testing.assert_array_equal(windows[0], u[:20].reshape(2, 10))
    np.savez(tmp_path / "r.npz", u=u.reshape(5, 5, 1), y=y.reshape(5, 5))
    x_npz, y_npz = load_sequences(tmp_path / "r.npz", "u", "y")
    np.testing.assert_array_equal(x_npz, u.reshape(5, 5))
    np.testing.assert_array_equal(y_npz, y.reshape(5, 5))


def test_bad_records_get_one_line_errors(tmp_path):
    (tmp_path / "text.csv").write_text("u,y\n1,a\n")
    (tmp_path / "nan.csv").write_text("u,y\n1,2\nnan,3\n")
    (tmp_path / "r.txt").write_text("u,y\n1,2\n")
    np.savez(tmp_path / "shapes.npz", u=np.ones((2, 5)), y=np.ones((2, 4)))
    (tmp_path / "broken.npz").write_bytes(b"PK broken")
    cases = [
        ("missing.csv", {}, "no data file"),
        ("r.txt", {}, "must be .csv or .npz"),
        ("text.csv", {}, "is not a numeric CSV"),
        ("nan.csv", {}, "must contain only finite numbers"),
        ("text.csv", {"output": "v"}, "has no column 'v'; its columns: u, y"),
        ("shapes.npz", {}, "needs input and output of one shape"),
        ("shapes.npz", {"output": "v"}, "has no array 'v'"),
        ("broken.npz", {}, "is not a readable NPZ file"),
        ("shapes.npz", {"output": "u", "length": 0}, "'length'"),
    ]
    for name, change, message in cases:
        arguments = {"input": "u", "output": "y"} | change
        with pytest.raises(SeqmemValueError, match=message) as error:
            load_sequences(tmp_path / name, **arguments)
        assert "\n" not in str(error.value)
    np.savez(tmp_path / "short.npz", u=np.ones(4), y=np.ones(4))
    with pytest.raises(SeqmemValueError, match="fewer than one window of length 5"):
        load_sequences(tmp_path / "short.npz", "u", "y", length=5)
    assert zipfile.is_zipfile(tmp_path / "short.npz")


def test_fit_record_saves_the_model_it_reports(tmp_path):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((30, 80))
    truth = LinearRNN.from_rates([1.0, 4.0], [1.0, -0.5])
    np.savez(tmp_path / "d.npz", u=x, y=truth.outputs(x, 0.1))
    fit = fit_record(tmp_path / "d.npz", "u", "y", dt=0.1, width=2, epochs=5, batch=8,
                     out=tmp_path / "fit.npz")  # fmt: skip
    assert fit.sequences == (27, 3) and fit.epochs == 5 and 1 <= fit.best_epoch <= 5
    model, info = load_model(fit.model)
    assert info["dt"] == 0.1 and info["metadata"]["train_loss"] == fit.train_loss
    # the saved model's error on the training sequences is the reported train loss
    held = np.sort(np.random.default_rng(0).permutation(30)[:3])
    kept = np.setdiff1d(np.arange(30), held)
    error = np.mean((model.outputs(x[kept], 0.1) - truth.outputs(x[kept], 0.1)) ** 2)
    assert error == pytest.approx(fit.train_loss, rel=1e-10)
    assert json.loads(json.dumps(fit.as_dict()))["model"] == str(tmp_path / "fit.npz")
