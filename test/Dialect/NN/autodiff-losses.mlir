// The loss IR patterns of docs/training.md: loss value against PyTorch's
// loss functions (LOSS-REFERENCE names the torch function grad_check.py
// applies to the first argument and the labels), gradients against finite
// differences and torch autograd.
// RUN: npu-opt --split-input-file --nn-autodiff --mlir-print-op-generic %s \
// RUN:   | %python %test_helpers/grad_check.py --source %s | FileCheck %s

// Sparse softmax cross-entropy: labels are class indices; the one-hot mask is
// equal(labels, iota) cast to f32 (off the gradient path).
// LOSS-REFERENCE: sparse_softmax_cross_entropy
// CHECK: module 0: ok loss matches torch
func.func @forward(%logits: tensor<3x4xf32>, %x: tensor<1xf32>, %labels: tensor<3xi64>) -> tensor<f32> {
  %lsm = nn.log_softmax %logits {axis = 1 : i64} : tensor<3x4xf32>
  %column = nn.reshape %labels {shape = array<i64: 3, 1>} : (tensor<3xi64>) -> tensor<3x1xi64>
  %classes = nn.constant dense<[[0, 1, 2, 3]]> : tensor<1x4xi64>
  %hit = nn.equal %column, %classes : (tensor<3x1xi64>, tensor<1x4xi64>) -> tensor<3x4xi1>
  %onehot = nn.cast %hit : tensor<3x4xi1> to tensor<3x4xf32>
  %picked = nn.mul %lsm, %onehot : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %sum = nn.reduce_sum %picked {keepdims = false} : (tensor<3x4xf32>) -> tensor<f32>
  %scale = nn.constant dense<-0.333333343> : tensor<f32>
  %loss = nn.mul %sum, %scale : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// Dense (soft-label) softmax cross-entropy: -mean over rows of
// sum(targets * log_softmax(logits)).
// LOSS-REFERENCE: softmax_cross_entropy
// CHECK: module 1: ok loss matches torch
func.func @forward(%logits: tensor<3x4xf32>, %x: tensor<1xf32>, %targets: tensor<3x4xf32>) -> tensor<f32> {
  %lsm = nn.log_softmax %logits {axis = 1 : i64} : tensor<3x4xf32>
  %picked = nn.mul %lsm, %targets : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %sum = nn.reduce_sum %picked {keepdims = false} : (tensor<3x4xf32>) -> tensor<f32>
  %scale = nn.constant dense<-0.333333343> : tensor<f32>
  %loss = nn.mul %sum, %scale : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// Mean squared error.
// LOSS-REFERENCE: mse
// CHECK: module 2: ok loss matches torch
func.func @forward(%pred: tensor<3x4xf32>, %x: tensor<1xf32>, %target: tensor<3x4xf32>) -> tensor<f32> {
  %diff = nn.sub %pred, %target : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %sq = nn.mul %diff, %diff : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %loss = nn.reduce_mean %sq {keepdims = false} : (tensor<3x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// Binary cross-entropy on probabilities p = sigmoid(z) (the first argument is
// z): -mean(t log p + (1 - t) log(1 - p)), targets in [0, 1].
// LOSS-REFERENCE: binary_cross_entropy
// CHECK: module 3: ok loss matches torch
func.func @forward(%z: tensor<3x4xf32>, %x: tensor<1xf32>, %t: tensor<3x4xf32>) -> tensor<f32> {
  %p = nn.sigmoid %z : tensor<3x4xf32>
  %one = nn.constant dense<1.0> : tensor<f32>
  %logp = nn.log %p : tensor<3x4xf32>
  %q = nn.sub %one, %p : (tensor<f32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %logq = nn.log %q : tensor<3x4xf32>
  %nt = nn.sub %one, %t : (tensor<f32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %a = nn.mul %t, %logp : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %b = nn.mul %nt, %logq : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %s = nn.add %a, %b : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %mean = nn.reduce_mean %s {keepdims = false} : (tensor<3x4xf32>) -> tensor<f32>
  %loss = nn.neg %mean : tensor<f32>
  return %loss : tensor<f32>
}

// -----

// A two-layer MLP with sparse softmax cross-entropy, params w1, b1, w2, b2
// (the Keras Dense layers: gemm with c).
// LOSS-REFERENCE: none
// CHECK: module 4: ok params [0, 1, 2, 3]
func.func @forward(%w1: tensor<6x5xf32>, %b1: tensor<5xf32>, %w2: tensor<5x4xf32>, %b2: tensor<4xf32>, %x: tensor<3x6xf32>, %labels: tensor<3xi64>) -> tensor<f32> {
  %h = nn.gemm %x, %w1, %b1 : (tensor<3x6xf32>, tensor<6x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  %a = nn.relu %h : tensor<3x5xf32>
  %logits = nn.gemm %a, %w2, %b2 : (tensor<3x5xf32>, tensor<5x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %lsm = nn.log_softmax %logits {axis = 1 : i64} : tensor<3x4xf32>
  %column = nn.reshape %labels {shape = array<i64: 3, 1>} : (tensor<3xi64>) -> tensor<3x1xi64>
  %classes = nn.constant dense<[[0, 1, 2, 3]]> : tensor<1x4xi64>
  %hit = nn.equal %column, %classes : (tensor<3x1xi64>, tensor<1x4xi64>) -> tensor<3x4xi1>
  %onehot = nn.cast %hit : tensor<3x4xi1> to tensor<3x4xf32>
  %picked = nn.mul %lsm, %onehot : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %sum = nn.reduce_sum %picked {keepdims = false} : (tensor<3x4xf32>) -> tensor<f32>
  %scale = nn.constant dense<-0.333333343> : tensor<f32>
  %loss = nn.mul %sum, %scale : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %loss : tensor<f32>
}
