// Structure of the data-movement kernels: strided DMA boxes through SRAM
// (split into 4-D descriptors, negative strides for reversed slices) and
// the embedding gather as one-hot x table on the MXU.
// RUN: npu-opt %s --npu-set-target=target=npu-tiny --npu-tile -split-input-file | FileCheck %s

// A rank-5 transpose: the DMA gathers in output order, one 4-D descriptor
// per index of the outermost output dim, then one contiguous store.
// CHECK-LABEL: npu.layer "nn.transpose" kind "nn.transpose" macs 0 vector_ops 0 min_dram_bytes 20160
// CHECK:       npu.dma_load %[[X:[0-9]+]][0x0] f32 -> %[[T:[0-9]+]][0x0] f32 extents [5, 3, 6, 4] dram_strides [42, 840, 7, 210] sram_strides [72, 24, 4, 1]
// CHECK-NEXT:  npu.dma_load %[[X]][0x4] f32 -> %[[T]][0x5A0] f32 extents [5, 3, 6, 4]
// CHECK-COUNT-5: npu.dma_load %[[X]]
// CHECK-NEXT:  npu.dma_store %[[T]][0x0] f32 -> %{{[0-9]+}}[0x0] f32 extents [1, 1, 1, 2520]
func.func @main(%x: tensor<3x4x5x6x7xf32> {nn.name = "x"}) -> (tensor<7x5x3x6x4xf32> {nn.name = "y"}) {
  %0 = nn.transpose %x {perm = array<i64: 4, 2, 0, 3, 1>} : (tensor<3x4x5x6x7xf32>) -> tensor<7x5x3x6x4xf32>
  return %0 : tensor<7x5x3x6x4xf32>
}

// -----

// x[1:9:3, 10:1:-2] starts at element (1, 10) = byte 0x58 and walks the
// columns backwards.
// CHECK-LABEL: npu.layer "nn.slice"
// CHECK:       npu.dma_load %{{[0-9]+}}[0x58] f32 -> %{{[0-9]+}}[0x0] f32 extents [1, 1, 3, 5] dram_strides [0, 0, 36, -2] sram_strides [0, 0, 5, 1]
func.func @main(%x: tensor<10x12xf32> {nn.name = "x"}) -> (tensor<3x5xf32> {nn.name = "y"}) {
  %0 = nn.slice %x {starts = array<i64: 1, 10>, ends = array<i64: 9, 1>, axes = array<i64: 0, 1>, steps = array<i64: 3, -2>} : (tensor<10x12xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

// concat along axis 1: each input is a box at its offset in the output.
// CHECK-LABEL: npu.layer "nn.concat"
// CHECK:       npu.dma_store %{{[0-9]+}}[0x0] f32 -> %[[Y:[0-9]+]][0x0] f32 extents [1, 1, 2, 15] sram_strides [0, 0, 15, 1] dram_strides [0, 0, 35, 1]
// CHECK:       npu.dma_store %{{[0-9]+}}[0x0] f32 -> %[[Y]][0x3C] f32 extents [1, 1, 2, 20] sram_strides [0, 0, 20, 1] dram_strides [0, 0, 35, 1]
func.func @main(%p: tensor<2x3x5xf32> {nn.name = "p"}, %q: tensor<2x4x5xf32> {nn.name = "q"}) -> (tensor<2x7x5xf32> {nn.name = "y"}) {
  %0 = nn.concat %p, %q {axis = 1 : i64} : (tensor<2x3x5xf32>, tensor<2x4x5xf32>) -> tensor<2x7x5xf32>
  return %0 : tensor<2x7x5xf32>
}

// -----

// Run-time indices (the GPT token embedding): the index column is cast to
// f32, negative indices wrapped, spread along rows and compared with each
// 32-wide chunk of an iota row; each one-hot chunk multiplies its table
// block on the MXU, accumulating over the vocabulary; one epilogue drains
// the accumulator.
// CHECK:       npu.constant "gather.iota" dense_resource<{{.*}}> : tensor<130xf32>
// CHECK-LABEL: npu.layer "nn.gather" kind "nn.gather" macs 163800 vector_ops 2340
// CHECK:       npu.dma_load %{{[0-9]+}}[0x0] i32 -> %[[RAW:[0-9]+]][0x0] i32 extents [1, 1, 1, 18]
// CHECK:       npu.vpu_cast rows 18 cols 1 dst %[[IDX:[0-9]+]][0x0] f32 stride 1 src0 %[[RAW]][0x0] i32 stride 1 scale 1.000000e+00
// CHECK:       npu.vpu_binary cmp_lt rows 18 cols 1 dst %[[NEG:[0-9]+]][0x0] f32 stride 1 src0 %[[IDX]][0x0] f32 stride 1 broadcast scalar imm0 0.000000e+00
// CHECK:       npu.vpu_binary mul rows 18 cols 1 {{.*}} imm0 1.300000e+02
// CHECK:       npu.vpu_binary add rows 18 cols 1 dst %[[IDX]]
// CHECK:       npu.vpu_broadcast col rows 18 cols 32 dst %[[SPREAD:[0-9]+]][0x0] f32 stride 32 src0 %[[IDX]][0x0] f32 stride 1
// CHECK:       npu.vpu_binary cmp_eq rows 18 cols 32 dst %[[HOT:[0-9]+]][0x0] f32 stride 32 src0 %[[SPREAD]][0x0] f32 stride 32 src1 %{{[0-9]+}}[0x0] f32 stride 32 broadcast row
// CHECK:       npu.mxu_load_weights %{{[0-9]+}}[0x0] k 32 n 32 row_stride 32 f32
// CHECK:       npu.mxu_matmul %[[HOT]][0x0] -> %[[ACC:[0-9]+]][0x0] m 18 k 32 n 32 row_stride 32 acc_row_stride 70 f32{{$}}
// CHECK:       npu.mxu_matmul %[[HOT]][0x0] -> %[[ACC]][0x100] m 18 k 32 n 6 row_stride 32 acc_row_stride 70 f32{{$}}
// CHECK:       npu.vpu_binary cmp_eq rows 18 cols 2
// CHECK:       npu.mxu_matmul %{{[0-9]+}}[0x0] -> %[[ACC]][0x100] m 18 k 2 n 6 row_stride 2 acc_row_stride 70 f32 accumulate
// CHECK:       %[[OUT:[0-9]+]] = npu.alloc sram 5040
// CHECK:       npu.vpu_epilogue none rows 18 cols 70 dst %[[OUT]][0x0] f32 stride 70 src0 %[[ACC]][0x0] f32 stride 70
// CHECK:       npu.dma_store %[[OUT]][0x0] f32 -> %{{[0-9]+}}[0x0] f32 extents [1, 1, 1, 1260]
func.func @main(%t: tensor<130x70xf32> {nn.name = "t"}, %i: tensor<2x9xi64> {nn.name = "i"}) -> (tensor<2x9x70xf32> {nn.name = "y"}) {
  %0 = nn.gather %t, %i : (tensor<130x70xf32>, tensor<2x9xi64>) -> tensor<2x9x70xf32>
  return %0 : tensor<2x9x70xf32>
}
