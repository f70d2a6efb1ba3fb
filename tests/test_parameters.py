"""Parameters as client code passes them: NumPy integers from grids, PCA's attributes."""

import numpy as np
from sklearn.model_selection import GridSearchCV

from skae import AutoencoderReducer


def test_numpy_integers_work_wherever_ints_do(digits):
    X = digits[0][:200]
    dense = AutoencoderReducer(
        np.int64(3),
        hidden_layer_sizes=np.array([8, 4]),
        batch_size=np.int64(32),
        epochs=np.int64(2),
        n_iter_no_change=np.int32(3),
        random_state=0,
    ).fit(X)
    assert dense.transform(X).shape == (200, 3)
    assert [layer.units for layer in dense.encoder_.layers[-1].layers] == [8, 4, 3]
    conv = AutoencoderReducer(
        np.int64(2),
        architecture="conv",
        conv_filters=(np.int64(4),),
        conv_depth=np.int64(2),
        input_shape=(np.int64(8), np.int64(-1), np.int64(1)),
        epochs=1,
        random_state=0,
    ).fit(X)
    assert conv.transform(X).shape == (200, 2)
    assert conv.spec_.conv_depth == 2 and type(conv.spec_.conv_depth) is int


def test_grid_from_np_arange_runs_and_n_components_is_read_back(digits):
    X = digits[0][:200]
    reducer = AutoencoderReducer(hidden_layer_sizes=(8,), epochs=2, random_state=0)
    search = GridSearchCV(reducer, {"n_components": np.arange(2, 4)}, cv=2).fit(X)
    assert search.best_estimator_.n_components_ == search.best_params_["n_components"]
    small = AutoencoderReducer(5, epochs=1, hidden_layer_sizes=(4,))
    assert small.fit(X).n_components_ == 5
    assert not hasattr(AutoencoderReducer(5), "n_components_")
