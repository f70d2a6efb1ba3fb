"""Keras models to bytes and back, for pickling (and, later, skae's own file format).

Keras writes its `.keras` archive only to paths, so the round trip goes through a private
temporary folder. Loading always uses ``safe_mode=True``: an archive cannot run code.
"""

import os
import tempfile

import keras


def model_to_bytes(model: keras.Model) -> bytes:
    """The model (with its optimizer state, when compiled) as `.keras` archive bytes."""
    with tempfile.TemporaryDirectory(prefix="skae-") as folder:
        path = os.path.join(folder, "model.keras")
        model.save(path)
        with open(path, "rb") as archive:
            return archive.read()


def model_from_bytes(data: bytes) -> keras.Model:
    """Rebuild a model written by `model_to_bytes`, without running code from it."""
    with tempfile.TemporaryDirectory(prefix="skae-") as folder:
        path = os.path.join(folder, "model.keras")
        with open(path, "wb") as archive:
            archive.write(data)
        return keras.saving.load_model(path, safe_mode=True)
