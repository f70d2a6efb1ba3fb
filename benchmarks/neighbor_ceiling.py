"""How far the neighbour term alone takes a dense encoder on MNIST's validation split (10/).

The 2-D map's targets ask for UMAP's held-out neighbourhoods from a network fitted on
8,000 images. This measures the term without the reconstruction that shares the
network: the default 2-D dense encoder (`skae.networks.dense_encoder_core` of the
defaults' resolved settings) trained only on
`skae.layers.UMAPNeighborLoss` over the training rows' graph (`skae.neighbors`), as
Parametric UMAP without its decoder. If the term alone stops short of UMAP on held-out
rows, the joint model cannot pass UMAP by weighting it more.

Protocol: fit on MNIST images 0-5,999, score on 6,000-7,999 (the last 2,000 are never
read); batches of 512 edges, Adam at the given learning rate (with --decay, lowered
linearly to 0 over the epochs, as UMAP's own optimiser does), each epoch drawing as many
edges as the graph has (as skae's training does).

Where the held-out rows are placed matters as much as the training: after the last
epoch the held-out rows are also placed by umap-learn's ``transform`` (each row started
at its training neighbours' codes, then optimised against the fixed training codes)
with the encoder's training codes swapped in for UMAP's embedding; the same fitted UMAP
placing them against its own embedding is the comparison.

Run: python benchmarks/neighbor_ceiling.py [--learning-rate 0.01] [--epochs 24]
[--decay] (writes benchmarks/results/neighbor_ceiling.md, or neighbor_ceiling_decay.md)
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import umap  # noqa: E402
from neighbor_tuning import validation_split  # noqa: E402
from training_runs import RESULTS, markdown_table  # noqa: E402

from skae import AutoencoderReducer  # noqa: E402
from skae.batches import drawn_edges  # noqa: E402
from skae.layers import UMAPNeighborLoss  # noqa: E402
from skae.metrics import knn_accuracy, trustworthiness  # noqa: E402
from skae.neighbors import neighbor_graph  # noqa: E402
from skae.networks import dense_encoder_core  # noqa: E402
from skae.seeding import SeedStream  # noqa: E402
from skae.spec import DataFacts, resolve_spec  # noqa: E402

EDGES_PER_BATCH = 512
SCORED_EPOCHS = (1, 3, 6, 12, 24, 48, 96)


def encoder_with_term(spec, graph, learning_rate):
    """The defaults' dense encoder, and a model training it on the term alone."""
    encoder = dense_encoder_core(spec, SeedStream(0))
    rows = keras.Input((spec.n_features,))
    codes = UMAPNeighborLoss(1.0, graph.a, graph.b, seed=0)(encoder(rows))
    trained = keras.Model(rows, codes)
    trained.compile(keras.optimizers.Adam(learning_rate))
    return encoder, trained


def edge_epoch(X, graph, epoch):
    """Batches of drawn edges' heads then tails, as `skae.batches` lays them out."""
    edges = drawn_edges(graph, graph.n_edges, 0, epoch)
    n_batches = len(edges) // EDGES_PER_BATCH
    batches = edges[: n_batches * EDGES_PER_BATCH].reshape(n_batches, EDGES_PER_BATCH)
    return np.concatenate(
        [np.concatenate([X[graph.heads[b]], X[graph.tails[b]]]) for b in batches]
    )


def placed_by_umap(X_fit, codes_fit, y_fit, X_val, y_val):
    """Held-out scores of umap-learn's transform: against its own embedding, then
    against ``codes_fit`` swapped in for it (the same neighbours and optimisation)."""
    reducer = umap.UMAP(random_state=0).fit(X_fit)
    scores = {}
    for name, embedding in (("UMAP's", reducer.embedding_), ("the encoder's", codes_fit)):
        reducer.embedding_ = np.asarray(embedding, dtype=np.float32)
        codes = reducer.transform(X_val)
        scores[name] = {
            "trustworthiness": f"{trustworthiness(X_val, codes):.3f}",
            "5-NN accuracy": f"{knn_accuracy(embedding, y_fit, codes, y_val):.3f}",
        }
    return scores


def main(learning_rate, epochs, decay):
    X_fit, y_fit, X_val, y_val = validation_split()
    defaults = AutoencoderReducer(2, random_state=0).get_params()
    spec = resolve_spec(defaults, DataFacts.of(X_fit))
    graph = neighbor_graph(X_fit, spec.n_neighbors, spec.min_dist, seed=0)
    encoder, trained = encoder_with_term(spec, graph, learning_rate)
    rows, seconds = [], 0.0
    for epoch in range(epochs):
        if decay:  # each epoch's rate, from learning_rate down to 0 after the last
            trained.optimizer.learning_rate.assign(learning_rate * (1 - epoch / epochs))
        batches = edge_epoch(X_fit, graph, epoch)
        start = time.perf_counter()
        trained.fit(batches, batch_size=2 * EDGES_PER_BATCH, shuffle=False, verbose=0)
        seconds += time.perf_counter() - start
        if epoch + 1 in SCORED_EPOCHS or epoch + 1 == epochs:
            codes_fit = encoder.predict(X_fit, verbose=0)
            codes = encoder.predict(X_val, verbose=0)
            training_trust = trustworthiness(X_fit[:2000], codes_fit[:2000])
            rows.append(
                {
                    "edge epochs": str(epoch + 1),
                    "train s": f"{seconds:.1f}",
                    "trustworthiness": f"{trustworthiness(X_val, codes):.3f}",
                    "5-NN accuracy": f"{knn_accuracy(codes_fit, y_fit, codes, y_val):.3f}",
                    "training rows' trustworthiness": f"{training_trust:.3f}",
                }
            )
            print(rows[-1], flush=True)
    placed = placed_by_umap(X_fit, codes_fit, y_fit, X_val, y_val)
    rate = f"Adam from {learning_rate} down to 0" if decay else f"Adam at {learning_rate}"
    header = (
        "The neighbour term alone (no reconstruction) on the default dense encoder, "
        f"{rate}, {EDGES_PER_BATCH} edges a batch, {graph.n_edges:,} "
        "edges in the graph of MNIST images 0-5,999; scored on images 6,000-7,999 "
        "(and the first 2,000 training images). UMAP's own row is in "
        "neighbor_tuning.md (same split). Command: `python benchmarks/neighbor_ceiling.py "
        f"--learning-rate {learning_rate} --epochs {epochs}{' --decay' if decay else ''}`."
        "\n\n"
    )
    table = markdown_table(list(rows[0]), rows)
    placed_rows = [{"training codes": name, **scores} for name, scores in placed.items()]
    placed_table = markdown_table(list(placed_rows[0]), placed_rows)
    placement = (
        f"\n\nThe held-out rows placed by umap-learn's `transform` (`UMAP(random_state=0)` "
        f"fitted on the same rows), against UMAP's training embedding or the encoder's "
        f"training codes after {epochs} edge epochs:\n\n"
    )
    name = "neighbor_ceiling_decay.md" if decay else "neighbor_ceiling.md"
    (RESULTS / name).write_text(
        header + "\n".join(table) + placement + "\n".join(placed_table) + "\n"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learning-rate", type=float, default=0.01)
    parser.add_argument("--epochs", type=int, default=24)
    parser.add_argument("--decay", action="store_true", help="rate down to 0 linearly")
    arguments = parser.parse_args()
    main(arguments.learning_rate, arguments.epochs, arguments.decay)
