"""What a scikit-learn user does with a reducer: pipelines, search, CV, output, copies."""

import copy
import pickle

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from skae import AutoencoderReducer

SMALL = dict(hidden_layer_sizes=(32,), epochs=10, neighbor_loss=None, random_state=0)


@pytest.fixture(scope="module")
def fitted(digits):
    X_train = digits[0]
    return AutoencoderReducer(n_components=4, **SMALL).fit(X_train)


def test_pipeline_trains_the_autoencoder_without_labels(digits):
    X_train, X_test, y_train, y_test = digits
    pipeline = make_pipeline(
        MinMaxScaler(), AutoencoderReducer(n_components=8, **SMALL), LogisticRegression()
    )
    pipeline.fit(X_train, y_train)
    # The labels reach the reducer's fit, but the result is the unsupervised one.
    scaler = MinMaxScaler().fit(X_train)
    unsupervised = AutoencoderReducer(n_components=8, **SMALL).fit(
        scaler.transform(X_train)
    )
    assert np.array_equal(
        pipeline[1].transform(scaler.transform(X_test)),
        unsupervised.transform(scaler.transform(X_test)),
    )
    assert pipeline.score(X_test, y_test) > 0.7


def test_grid_search_picks_more_components_by_score(digits):
    X_train = digits[0]
    search = GridSearchCV(AutoencoderReducer(**SMALL), {"n_components": [2, 8]}, cv=3)
    search.fit(X_train)
    assert search.best_params_ == {"n_components": 8}
    scores = search.cv_results_["mean_test_score"]
    assert scores[1] > scores[0]


def test_cross_val_score_gives_negative_mse(digits):
    X_train = digits[0]
    scores = cross_val_score(AutoencoderReducer(n_components=4, **SMALL), X_train, cv=3)
    assert scores.shape == (3,)
    assert np.all(scores < 0) and np.all(scores > -0.1)


def test_set_output_pandas_names_the_components(fitted, digits):
    X_test = digits[1]
    reducer = clone(fitted).set_output(transform="pandas").fit(digits[0])
    frame = reducer.transform(X_test)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == [f"autoencoderreducer{i}" for i in range(4)]
    assert np.array_equal(frame.to_numpy(), fitted.transform(X_test))


def test_feature_names_in_are_kept(digits):
    columns = [f"pixel{i}" for i in range(64)]
    frame = pd.DataFrame(digits[0], columns=columns)
    reducer = AutoencoderReducer(hidden_layer_sizes=(8,), epochs=2, random_state=0).fit(
        frame
    )
    assert list(reducer.feature_names_in_) == columns
    assert list(reducer.get_feature_names_out()) == [
        "autoencoderreducer0",
        "autoencoderreducer1",
    ]


@pytest.mark.parametrize(
    "round_trip",
    [
        lambda est, tmp: pickle.loads(pickle.dumps(est)),
        lambda est, tmp: copy.deepcopy(est),
        lambda est, tmp: joblib.load(joblib.dump(est, tmp / "model.joblib")[0]),
    ],
    ids=["pickle", "deepcopy", "joblib"],
)
def test_copies_of_a_fitted_reducer_transform_identically(
    fitted, digits, tmp_path, round_trip
):
    X_test = digits[1]
    copied = round_trip(fitted, tmp_path)
    assert copied is not fitted
    assert np.array_equal(copied.transform(X_test), fitted.transform(X_test))
    assert np.array_equal(
        copied.inverse_transform(fitted.transform(X_test)),
        fitted.inverse_transform(fitted.transform(X_test)),
    )
    # The copy's Keras models are its own, and still share layers with each other.
    assert copied.encoder_ is not fitted.encoder_
    assert copied.autoencoder_.get_layer("encoder") is copied.encoder_


def test_clone_refits_to_the_same_result(fitted, digits):
    X_train, X_test = digits[0], digits[1]
    twin = clone(fitted)
    assert not hasattr(twin, "encoder_")
    assert np.array_equal(twin.fit(X_train).transform(X_test), fitted.transform(X_test))


def test_unpickled_reducer_continues_training(fitted, digits):
    copied = pickle.loads(pickle.dumps(fitted))
    before = copied.n_iter_
    copied.partial_fit(digits[0])
    assert copied.n_iter_ == before + 1
    assert len(copied.loss_curve_) == before + 1
