#!/usr/bin/python3
"""Training on the simulated chip (npu.keras) side by side with PyTorch CPU:
the bars of issue 5, measured in one run.

Both sides train the same model from the same initial weights (the npu.keras
model's, copied into torch), on the same batches in the same order (one
permutation per epoch from the seed; npu.keras fits each epoch with
shuffle=False on the permuted data), with the same hyperparameters (batch
32, Adam lr 1e-3, beta1 0.9, beta2 0.999, epsilon 1e-7, the chip's Adam
formula; sparse softmax crossentropy on the logits before the final
softmax). The torch model (test/helpers/keras_twin.py) takes NHWC images
and flattens in channels-last order, as Keras.

(1) steps: the loss of the first --steps (100) train steps of the MLP at
    fp32, per step, on both sides: the largest relative difference.
(2) mlp: --epochs (5) epochs of the MLP on all 60,000 training images, once
    per seed of --seeds (0-19: initial weights and data order; the bars take
    the mean over the seeds); test accuracy of both after each epoch (the bars
    take the last) and their difference; wall time of
    each epoch on both sides (npu.keras: fit() of one epoch minus the time
    spent compiling, which happens in the first epoch only; torch: the same
    loop of steps with the loss and accuracy read back each step, as fit
    does), with the same thread count (torch.set_num_threads(--threads); the
    simulator runs on one thread), as wall time and as CPU time of the
    process (on a shared machine the wall time includes waiting for a core).
(3) cnn: the same for the CNN (2 Conv2D 3x3 + MaxPooling2D stages, Dense
    128, Dense 10), for the first seed only (an epoch takes minutes), for
    --cnn-epochs (10, as TensorFlow's CNN tutorial) epochs.

Usage: PYTHONPATH=build/python /usr/bin/python3 benchmarks/train_fashion_mnist.py
           [--only steps,mlp,cnn] [--epochs 5] [--cnn-epochs 10]
           [--steps 100] [--seeds 0,1,...,19] [--threads 1]
           [--train-samples N] [--json results.json]
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import torch

from npu import keras
from npu.keras import layers

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                "test", "helpers"))
from keras_twin import KerasAdam, TorchTwin, keras_loss  # noqa: E402

BATCH = 32
LEARNING_RATE = 1e-3
BETA_1, BETA_2, EPSILON = 0.9, 0.999, 1e-7


def keras_model(kind):
    if kind == "mlp":
        return keras.Sequential([layers.Flatten(input_shape=(28, 28)),
                                 layers.Dense(128, activation="relu"),
                                 layers.Dense(64, activation="relu"),
                                 layers.Dense(10, activation="softmax")])
    return keras.Sequential([keras.Input(shape=(28, 28, 1)),
                             layers.Conv2D(32, 3, activation="relu"),
                             layers.MaxPooling2D(),
                             layers.Conv2D(64, 3, activation="relu"),
                             layers.MaxPooling2D(),
                             layers.Flatten(),
                             layers.Dense(128, activation="relu"),
                             layers.Dense(10, activation="softmax")])


def adam(twin):
    return KerasAdam(twin.parameters(), LEARNING_RATE, BETA_1, BETA_2, EPSILON)


class Clock:
    """Wall and CPU time of this process since creation. The machine may be
    shared: wall time then includes waiting for a core, CPU time does not
    (and equals the wall time of these single-threaded loops on an idle
    machine); both are reported."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self):
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def torch_epoch(model, optimizer, x, y):
    """One epoch of batches in order: (mean loss, accuracy, wall s, cpu s)."""
    losses, correct = 0.0, 0
    clock = Clock()
    for begin in range(0, len(x), BATCH):
        xb, yb = x[begin:begin + BATCH], y[begin:begin + BATCH]
        optimizer.zero_grad()
        outputs, logits = model(xb)
        loss = keras_loss("sparse_categorical_crossentropy", outputs, logits, yb)
        loss.backward()
        optimizer.step()
        losses += loss.item() * len(xb)
        correct += int((logits.argmax(1) == yb).sum())
    return (losses / len(x), correct / len(x)) + clock.read()


def torch_accuracy(model, x, y):
    """Test accuracy, 1,000 images at a time (the CNN's activations of all
    10,000 at once would take about 1 GB)."""
    with torch.no_grad():
        correct = sum(int((model(x[begin:begin + 1000], training=False)[0].argmax(1)
                           == y[begin:begin + 1000]).sum())
                      for begin in range(0, len(x), 1000))
    return correct / len(x)


def load(kind, train_samples):
    (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
    x_train = (x_train[:train_samples] / 255.0).astype(np.float32)
    y_train = y_train[:train_samples].astype(np.int64)
    x_test = (x_test / 255.0).astype(np.float32)
    y_test = y_test.astype(np.int64)
    if kind == "cnn":
        x_train, x_test = x_train[..., None], x_test[..., None]
    return x_train, y_train, x_test, y_test


def compiled(model, precision="fp32"):
    model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE, BETA_1, BETA_2, EPSILON),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  precision=precision)
    return model


def first_steps(args, seed):
    """(1) per-step losses of the first --steps MLP steps."""
    x, y, _, _ = load("mlp", args.steps * BATCH)
    keras.utils.set_random_seed(seed)
    model = compiled(keras_model("mlp"))
    twin = TorchTwin(model)
    optimizer = adam(twin)
    chip_losses, torch_losses = [], []
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    for step in range(args.steps):
        batch = slice(step * BATCH, (step + 1) * BATCH)
        chip_losses.append(model.train_on_batch(x[batch], y[batch])[0])
        optimizer.zero_grad()
        outputs, logits = twin(xt[batch])
        loss = keras_loss("sparse_categorical_crossentropy", outputs, logits, yt[batch])
        loss.backward()
        optimizer.step()
        torch_losses.append(loss.item())
    chip_losses, torch_losses = np.array(chip_losses), np.array(torch_losses)
    relative = np.abs(chip_losses - torch_losses) / np.abs(torch_losses)
    print(f"(1) first {args.steps} MLP steps at fp32: loss {chip_losses[0]:.4f} -> "
          f"{chip_losses[-1]:.4f} (torch {torch_losses[0]:.4f} -> {torch_losses[-1]:.4f}); "
          f"max relative difference {relative.max():.2e} at step {relative.argmax() + 1}, "
          f"mean {relative.mean():.2e}", flush=True)
    return {"steps": args.steps, "max_relative_difference": float(relative.max()),
            "mean_relative_difference": float(relative.mean()),
            "chip_losses": chip_losses.tolist(), "torch_losses": torch_losses.tolist()}


def side_by_side(args, kind, seed):
    """(2)/(3): --epochs (--cnn-epochs) epochs on both sides, same order."""
    x, y, x_test, y_test = load(kind, args.train_samples)
    epoch_count = args.cnn_epochs if kind == "cnn" else args.epochs
    keras.utils.set_random_seed(seed)
    torch.manual_seed(seed)
    model = compiled(keras_model(kind))
    twin = TorchTwin(model)
    optimizer = adam(twin)
    order_rng = np.random.default_rng(seed)
    xt_test, yt_test = torch.from_numpy(x_test), torch.from_numpy(y_test)
    epochs = []
    print(f"({'2' if kind == 'mlp' else '3'}) {kind}, seed {seed}: {len(x)} images, "
          f"batch {BATCH}, Adam, {epoch_count} epochs, torch threads "
          f"{torch.get_num_threads()}", flush=True)
    print(f"{'epoch':>5} | {'npu loss':>8} {'acc':>6} {'test':>6} {'wall s':>7} "
          f"{'cpu s':>6} {'chip us/step':>12} {'MXU':>5} | {'torch loss':>10} "
          f"{'acc':>6} {'test':>6} {'wall s':>7} {'cpu s':>6} | {'ratio wall':>10} "
          f"{'cpu':>6}")
    for epoch in range(epoch_count):
        order = order_rng.permutation(len(x))
        x_epoch, y_epoch = x[order], y[order]
        compile_before = model._session.compile_seconds if model._session else 0.0
        clock = Clock()
        history = model.fit(x_epoch, y_epoch, batch_size=BATCH, epochs=1,
                            shuffle=False, verbose=0)
        # Compiling (the first epoch) runs npu-compile in a child process:
        # not in this process's CPU time, subtracted from the wall time.
        npu_wall, npu_cpu = clock.read()
        npu_wall -= model._session.compile_seconds - compile_before
        chip = history.chip[0]
        torch_loss, torch_acc, torch_wall, torch_cpu = torch_epoch(
            twin, optimizer, torch.from_numpy(x_epoch), torch.from_numpy(y_epoch))
        # Test accuracy after every epoch (outside the timed loops), so a run
        # cut short still says where each epoch got to.
        _, npu_test = model.evaluate(x_test, y_test, batch_size=250, verbose=0)
        torch_test = torch_accuracy(twin, xt_test, yt_test)
        row = {"epoch": epoch + 1, "npu_loss": history.history["loss"][0],
               "npu_accuracy": history.history["accuracy"][0],
               "npu_test_accuracy": npu_test, "torch_test_accuracy": torch_test,
               "npu_wall_seconds": npu_wall, "npu_cpu_seconds": npu_cpu,
               "chip_us_per_step": chip["time_us_per_step"],
               "mxu_utilization": chip["mxu_utilization"],
               "torch_loss": torch_loss, "torch_accuracy": torch_acc,
               "torch_wall_seconds": torch_wall, "torch_cpu_seconds": torch_cpu,
               "wall_ratio": npu_wall / torch_wall, "cpu_ratio": npu_cpu / torch_cpu}
        epochs.append(row)
        print(f"{epoch + 1:>5} | {row['npu_loss']:8.4f} {row['npu_accuracy']:6.4f} "
              f"{npu_test:6.4f} {npu_wall:7.1f} {npu_cpu:6.1f} "
              f"{row['chip_us_per_step']:12.1f} {100 * row['mxu_utilization']:4.1f}% | "
              f"{torch_loss:10.4f} {torch_acc:6.4f} {torch_test:6.4f} {torch_wall:7.1f} "
              f"{torch_cpu:6.1f} | "
              f"{row['wall_ratio']:9.2f}x {row['cpu_ratio']:5.2f}x", flush=True)
    wall = statistics.median(r["wall_ratio"] for r in epochs)
    cpu = statistics.median(r["cpu_ratio"] for r in epochs)
    print(f"    test accuracy: npu {npu_test:.4f}, torch {torch_test:.4f} "
          f"(difference {100 * (npu_test - torch_test):+.2f} points); epoch time "
          f"npu / torch: median {wall:.2f}x wall, {cpu:.2f}x cpu; compile "
          f"{model._session.compile_seconds:.1f} s", flush=True)
    return {"model": kind, "seed": seed, "train_samples": len(x), "epochs": epochs,
            "npu_test_accuracy": npu_test, "torch_test_accuracy": torch_test,
            "median_wall_ratio": wall, "median_cpu_ratio": cpu,
            "compile_seconds": model._session.compile_seconds}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="steps,mlp,cnn")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--cnn-epochs", type=int, default=10)
    parser.add_argument("--steps", type=int, default=100)
    # 20 seeds: one seed's MLP test accuracy spreads by 0.44 points (std),
    # so the mean of 3 has a standard error of 0.25 points, 20 of 0.1.
    parser.add_argument("--seeds", default=",".join(str(seed) for seed in range(20)))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--train-samples", type=int, default=60000)
    parser.add_argument("--json")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    seeds = [int(seed) for seed in args.seeds.split(",")]
    parts = args.only.split(",")
    unknown = set(parts) - {"steps", "mlp", "cnn"}
    if unknown:
        parser.error(f"--only: unknown part(s) {', '.join(sorted(unknown))}")
    results = {}
    if "steps" in parts:
        results["steps"] = first_steps(args, seeds[0])
    if "mlp" in parts:
        results["mlp"] = [side_by_side(args, "mlp", seed) for seed in seeds]
    if "cnn" in parts:
        results["cnn"] = [side_by_side(args, "cnn", seeds[0])]

    print("\nbars:")
    if "steps" in results:
        value = results["steps"]["max_relative_difference"]
        print(f"  first {args.steps} steps' loss within 1e-3 relative of torch (fp32): "
              f"{value:.2e} -> {'met' if value <= 1e-3 else 'MISSED'}")
    if "mlp" in results:
        runs = results["mlp"]
        npu_mean = statistics.mean(r["npu_test_accuracy"] for r in runs)
        torch_mean = statistics.mean(r["torch_test_accuracy"] for r in runs)
        each = ", ".join(f"{r['npu_test_accuracy']:.4f}" for r in runs)
        gap = 100 * abs(npu_mean - torch_mean)
        wall = statistics.median(e["wall_ratio"] for r in runs for e in r["epochs"])
        cpu = statistics.median(e["cpu_ratio"] for r in runs for e in r["epochs"])
        npu_all = [r["npu_test_accuracy"] for r in runs]
        torch_all = [r["torch_test_accuracy"] for r in runs]
        spread = (f"; std npu {statistics.stdev(npu_all):.4f}, torch "
                  f"{statistics.stdev(torch_all):.4f}" if len(runs) > 1 else "")
        print(f"  MLP test accuracy >= 0.87 after {args.epochs} epochs: mean "
              f"{npu_mean:.4f} over seeds {args.seeds} ({each}) -> "
              f"{'met' if npu_mean >= 0.87 else 'MISSED'}; seeds reaching 0.87: npu "
              f"{sum(a >= 0.87 for a in npu_all)}, torch "
              f"{sum(a >= 0.87 for a in torch_all)} of {len(runs)}{spread}")
        print(f"  MLP within 1 point of torch: mean {100 * npu_mean:.2f} vs "
              f"{100 * torch_mean:.2f}, {gap:.2f} points -> "
              f"{'met' if gap <= 1 else 'MISSED'}")
        print(f"  MLP epoch time within 3x of torch: median over "
              f"{sum(len(r['epochs']) for r in runs)} epochs {wall:.2f}x wall -> "
              f"{'met' if wall <= 3 else 'MISSED'}, {cpu:.2f}x cpu -> "
              f"{'met' if cpu <= 3 else 'MISSED'}")
    if "cnn" in results:
        cnn = results["cnn"][0]
        print(f"  CNN test accuracy >= 0.90 after {args.cnn_epochs} epochs: "
              f"{cnn['npu_test_accuracy']:.4f} (torch "
              f"{cnn['torch_test_accuracy']:.4f}) -> "
              f"{'met' if cnn['npu_test_accuracy'] >= 0.90 else 'MISSED'}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
