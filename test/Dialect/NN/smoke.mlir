// RUN: npu-opt %s | FileCheck %s
// CHECK: nn.relu
func.func @f(%a: tensor<2xf32>) -> tensor<2xf32> {
  %0 = nn.relu %a : tensor<2xf32>
  return %0 : tensor<2xf32>
}
