"""WIP sweep of the neighbour loss (10/): 2-D maps on digits or MNIST, one JSON of params per argument.

Usage: SKAE_EDGE_FACTOR=50 python benchmarks/neighbor_sweep_wip.py digits '{"neighbor_loss": "umap"}'
"""
import time, sys, json, numpy as np
from skae import AutoencoderReducer
from skae.datasets import load_comparison_data
from skae import metrics
name = sys.argv[1]
d = load_comparison_data(name, data_dir="/work/shared/data/mnist") if name == "mnist" else load_comparison_data(name)
for spec in sys.argv[2:]:
    kw = json.loads(spec)
    t=time.time()
    r = AutoencoderReducer(n_components=2, random_state=0, **kw).fit(d.X_train)
    fit=time.time()-t
    Z_tr, Z_te = r.transform(d.X_train), r.transform(d.X_test)
    mse = metrics.reconstruction_error(d.X_test, r.inverse_transform(Z_te))
    print(spec, f"fit {fit:.1f}s mse {mse:.4f} trust {metrics.trustworthiness(d.X_test, Z_te):.3f} knn {metrics.knn_accuracy(Z_tr, d.y_train, Z_te, d.y_test):.3f}", r.n_iter_, flush=True)
