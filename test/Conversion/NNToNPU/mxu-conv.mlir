// Structure of the nn.conv kernel: im2col gathered by DMA with K packed
// (kh, kw, c), zero fill only where padding is read, the NCHW scatter, bias
// and activation in the epilogue, depthwise on the VPU, groups as separate
// matmuls, adjacent output positions packed into one im2col row when the
// output channels are few, transposed (positions in the array) when the
// output positions are few (numbers: mxu-e2e.test). Convs with more than 64
// output channels have only the unpacked plan on npu-base (2 x 72 > 128
// columns).
// RUN: npu-opt %s -split-input-file --npu-set-target=target=npu-base --npu-tile | FileCheck %s
// RUN: npu-opt %s -split-input-file --npu-set-target=target=npu-base --npu-tile=precision=bf16 | FileCheck %s --check-prefix=BF16

// 3x3 stride 2 pad 1 on 3 channels: K = 27 (one k-tile), one DMA box per
// kernel position (9), clipped to the input, after the zero fills of the
// padding it reads (DMA boxes reading one zero element); the
// relu6 (clip 0..6) is the epilogue's activation with the conv bias; the
// [positions x channels] result is scattered to NCHW. (72 output channels
// and 144 output positions: neither the packed nor the transposed plan
// applies on npu-base.)
// CHECK-LABEL: npu.layer "conv1" kind "nn.conv" macs 279936 vector_ops 10368
// CHECK:       npu.dma_load %[[ZERO:[0-9]+]][0x0] f32 -> %[[A:[0-9]+]][0x0] f32 extents [1, 1, 13, 3] dram_strides [0, 0, 0, 0] sram_strides [0, 0, 27, 1]
// CHECK-COUNT-5: npu.dma_load %[[ZERO]][{{.*}}] f32 -> %[[A]][{{.*}}] f32 extents [1, 1, {{[0-9]+}}, 3] dram_strides [0, 0, 0, 0]
// CHECK-NEXT:  npu.dma_load %0[{{.*}}] f32 -> %[[A]][{{.*}}] f32 extents [1, {{[56]}}, {{1[12]}}, 3] dram_strides [0, 48, 2, 576] sram_strides [0, 324, 27, 1]
// CHECK-COUNT-8: npu.dma_load %0[{{.*}}] f32 -> %[[A]][{{.*}}] f32 extents [1, {{[56]}}, {{1[12]}}, 3] dram_strides [0, 48, 2, 576] sram_strides [0, 324, 27, 1]
// CHECK:       npu.mxu_load_weights {{.*}} k 27 n 72 row_stride 72 f32
// CHECK:       npu.mxu_matmul %[[A]][0x0] -> {{.*}} m 72 k 27 n 72
// CHECK:       npu.vpu_epilogue clip rows 72 cols 72 {{.*}} src1 {{.*}} imm1 6.000000e+00
// CHECK:       npu.dma_store {{.*}} extents [1, 72, 6, 12] sram_strides [0, 1, 864, 72] dram_strides [0, 144, 12, 1]
// CHECK-NOT:   npu.layer
func.func @main(%x: tensor<1x3x24x24xf32>) -> tensor<1x72x12x12xf32> {
  %w = nn.constant dense<0.5> : tensor<72x3x3x3xf32>
  %b = nn.constant dense<1.0> : tensor<72xf32>
  %c = nn.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x24x24xf32>, tensor<72x3x3x3xf32>, tensor<72xf32>) -> tensor<1x72x12x12xf32> loc("conv1")
  %r = nn.clip %c {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x72x12x12xf32> loc("relu6")
  return %r : tensor<1x72x12x12xf32>
}

// -----

// Without padding nothing is zero-filled; a 1x1 conv is one box per k-tile
// (here a tile per three output rows: two tiles let the second tile's
// loads overlap the first one's compute).
// CHECK-LABEL: npu.layer "pointwise" kind "nn.conv" macs 20736
// CHECK-NOT:   npu.vpu_broadcast
// CHECK:       npu.dma_load %0[0x0] f32 -> {{.*}} extents [1, 3, 6, 8] dram_strides [0, 6, 1, 36] sram_strides [0, 48, 8, 1]
// CHECK-COUNT-2: npu.mxu_matmul {{.*}} m 18 k 8 n 72
// CHECK-NOT:   npu.vpu_broadcast
func.func @main(%x: tensor<1x8x6x6xf32>) -> tensor<1x72x6x6xf32> {
  %w = nn.constant dense<0.5> : tensor<72x8x1x1xf32>
  %c = nn.conv %x, %w : (tensor<1x8x6x6xf32>, tensor<72x8x1x1xf32>) -> tensor<1x72x6x6xf32> loc("pointwise")
  return %c : tensor<1x72x6x6xf32>
}

// -----

// Groups: one matmul problem per group, each with its own weights and its
// own rows of the bias. With 3 output channels per group, four adjacent
// output positions share an im2col row: the packed kernel is 3 x 6
// (K = 18 * 2 channels), N = 4 positions x 3 channels, 36 rows (12 rows x
// 3 groups of positions); each position's channels are stored by their own
// box, every fourth output column.
// CHECK-LABEL: npu.layer "grouped" kind "nn.conv" macs 23328
// CHECK:       npu.mxu_matmul {{.*}} m 36 k 36 n 12
// CHECK-NEXT:  npu.alloc
// CHECK-NEXT:  npu.vpu_epilogue none rows 36 cols 12
// CHECK-NEXT:  npu.dma_store %[[OUT:.*]][0x0] f32 -> %1[0x0] f32 extents [1, 3, 12, 3] sram_strides [0, 1, 36, 12] dram_strides [0, 144, 12, 4]
// CHECK-NEXT:  npu.dma_store %[[OUT]][0xC] f32 -> %1[0x4] f32 extents [1, 3, 12, 3] sram_strides [0, 1, 36, 12] dram_strides [0, 144, 12, 4]
// CHECK-NEXT:  npu.dma_store %[[OUT]][0x18] f32 -> %1[0x8] f32 extents [1, 3, 12, 3] sram_strides [0, 1, 36, 12] dram_strides [0, 144, 12, 4]
// CHECK-NEXT:  npu.dma_store %[[OUT]][0x24] f32 -> %1[0xC] f32 extents [1, 3, 12, 3] sram_strides [0, 1, 36, 12] dram_strides [0, 144, 12, 4]
// CHECK-COUNT-2: npu.mxu_matmul {{.*}} m 36 k 36 n 12
// CHECK-NOT:   npu.mxu_matmul
func.func @main(%x: tensor<1x6x12x12xf32>) -> tensor<1x9x12x12xf32> {
  %w = nn.constant dense<0.5> : tensor<9x2x3x3xf32>
  %b = nn.constant dense<1.0> : tensor<9xf32>
  %c = nn.conv %x, %w, %b {group = 3 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x6x12x12xf32>, tensor<9x2x3x3xf32>, tensor<9xf32>) -> tensor<1x9x12x12xf32> loc("grouped")
  return %c : tensor<1x9x12x12xf32>
}

// -----

// Depthwise (group = C = M): no MXU work, and with 4 channels the channels
// go down the VPU rows, the 36 output positions across the lanes (NCHW
// order). Per kernel position: zero the padding positions the window reads
// (DMA boxes reading one zero element), gather the window [channels x
// positions], multiply by that position's weight column (broadcast along
// the rows) and accumulate in the accumulator memory; then the bias (a
// column broadcast) and the relu epilogue; one contiguous store.
// CHECK-LABEL: npu.layer "dw" kind "nn.conv" macs 1296 vector_ops 2592
// CHECK-NOT:   npu.mxu
// CHECK:       npu.dma_load %[[ZERO:[0-9]+]][0x0] f32 -> %[[W0:[0-9]+]][0x0] f32 extents [1, 1, 4, 6] dram_strides [0, 0, 0, 0] sram_strides [0, 0, 36, 1]
// CHECK:       npu.dma_load %0[0x0] f32 -> %[[W0]][0x1C] f32 extents [1, 4, 5, 5] dram_strides [0, 36, 6, 1] sram_strides [0, 36, 6, 1]
// CHECK-NEXT:  npu.vpu_binary mul rows 4 cols 36 dst %[[ACC:.*]][0x0] f32 stride 36 src0 %[[W0]][0x0] f32 stride 36 src1 %{{.*}} f32 stride 1 broadcast col
// CHECK-COUNT-8: npu.vpu_binary add rows 4 cols 36 dst %[[ACC]][0x0] f32 stride 36 src0 %[[ACC]][0x0] f32 stride 36 src1 %{{.*}} f32 stride 36 broadcast none
// CHECK-NEXT:  npu.vpu_binary add rows 4 cols 36 dst %[[ACC]][0x0] f32 stride 36 src0 %[[ACC]][0x0] f32 stride 36 src1 %{{.*}}[0x0] f32 stride 1 broadcast col
// CHECK-NEXT:  npu.vpu_epilogue relu rows 4 cols 36 dst %[[OUT:.*]][0x0] f32 stride 36 src0 %[[ACC]][0x0] f32 stride 36
// CHECK-NEXT:  npu.dma_store %[[OUT]][0x0] f32 -> %1[0x0] f32 extents [1, 4, 6, 6] sram_strides [0, 36, 6, 1] dram_strides [0, 36, 6, 1]
// CHECK-NOT:   npu.mxu
func.func @main(%x: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %w = nn.constant dense<0.5> : tensor<4x1x3x3xf32>
  %b = nn.constant dense<1.0> : tensor<4xf32>
  %c = nn.conv %x, %w, %b {group = 4 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x6x6xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32> loc("dw")
  %r = nn.relu %c : tensor<1x4x6x6xf32> loc("relu")
  return %r : tensor<1x4x6x6xf32>
}

// -----

// With 256 channels and 9 output positions the channels go across the
// lanes, the positions down the rows: per kernel position a window gather,
// a multiply by that position's weight row (broadcast down the rows) and an
// accumulate; the epilogue adds the bias and applies the relu.
// CHECK-LABEL: npu.layer "dw_wide" kind "nn.conv"
// CHECK:       npu.vpu_binary mul rows 9 cols 256 dst %[[ACC:.*]][0x0] f32 stride 256 src0 {{.*}} broadcast row
// CHECK-COUNT-8: npu.vpu_binary add rows 9 cols 256 dst %[[ACC]][0x0] f32
// CHECK:       npu.vpu_epilogue relu rows 9 cols 256 {{.*}} src0 %[[ACC]][0x0] f32 stride 256 src1
// CHECK-NEXT:  npu.dma_store {{.*}} extents [1, 256, 3, 3] sram_strides [0, 1, 768, 256] dram_strides [0, 9, 3, 1]
func.func @main(%x: tensor<1x256x6x6xf32>) -> tensor<1x256x3x3xf32> {
  %w = nn.constant dense<0.5> : tensor<256x1x3x3xf32>
  %b = nn.constant dense<1.0> : tensor<256xf32>
  %c = nn.conv %x, %w, %b {group = 256 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x256x6x6xf32>, tensor<256x1x3x3xf32>, tensor<256xf32>) -> tensor<1x256x3x3xf32> loc("dw_wide")
  %r = nn.relu %c : tensor<1x256x3x3xf32> loc("relu")
  return %r : tensor<1x256x3x3xf32>
}

// -----

// 1-D conv is 2-D with H = 1: kernel 5, stride 2, pads (2, 1), 150
// outputs. Four adjacent outputs share an im2col row (an 11-wide packed
// kernel at stride 8: K = 11 * 3, N = 4 * 10), 38 groups in two tiles; the
// last group's third and fourth positions are past the 150 outputs and are
// not stored.
// CHECK-LABEL: npu.layer "conv1d" kind "nn.conv" macs 22500
// CHECK:       npu.mxu_matmul {{.*}} m 19 k 33 n 40
// CHECK-COUNT-4: npu.dma_store {{.*}} extents [1, 1, 10, 19] sram_strides [0, 0, 1, 40] dram_strides [0, 0, 150, 4]
// CHECK:       npu.mxu_matmul {{.*}} m 19 k 33 n 40
// CHECK-COUNT-2: npu.dma_store {{.*}} extents [1, 1, 10, 19] sram_strides [0, 0, 1, 40] dram_strides [0, 0, 150, 4]
// CHECK-COUNT-2: npu.dma_store {{.*}} extents [1, 1, 10, 18] sram_strides [0, 0, 1, 40] dram_strides [0, 0, 150, 4]
func.func @main(%x: tensor<1x3x300xf32>) -> tensor<1x10x150xf32> {
  %w = nn.constant dense<0.5> : tensor<10x3x5xf32>
  %c = nn.conv %x, %w {pads = array<i64: 2, 1>, strides = array<i64: 2>} : (tensor<1x3x300xf32>, tensor<10x3x5xf32>) -> tensor<1x10x150xf32> loc("conv1d")
  return %c : tensor<1x10x150xf32>
}

// -----

// A residual block (ResNet): conv, add of the block's input, relu. The add
// and the relu run in the conv's epilogue (the input tile is gathered from
// NCHW and added to the accumulator); the second conv's add is fused into
// the shortcut conv "down", the later of its two operands, since "main"
// runs before the shortcut exists.
// CHECK-LABEL: npu.layer "block" kind "nn.conv" macs 4096 vector_ops 512
// CHECK:       npu.dma_load %0[0x0] f32 -> %[[C:.*]][0x0] f32 extents [1, 16, 2, 4] dram_strides [0, 16, 4, 1] sram_strides [0, 1, 64, 16]
// CHECK:       npu.vpu_binary add rows 8 cols 16 dst %[[ACC:.*]][0x0] f32 stride 16 src0 %[[ACC]][0x0] f32 stride 16 src1 %[[C]][0x0] f32 stride 16 broadcast none
// CHECK:       npu.vpu_epilogue relu rows 8 cols 16 {{.*}} src0 %[[ACC]][0x0]
// CHECK-LABEL: npu.layer "main" kind "nn.conv" macs 4096 vector_ops 0
// CHECK-NOT:   npu.vpu_binary
// CHECK-LABEL: npu.layer "down" kind "nn.conv" macs 4096 vector_ops 512
// CHECK:       npu.vpu_binary add
// CHECK:       npu.vpu_epilogue relu
// CHECK-NOT:   npu.layer
func.func @main(%x: tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32> {
  %w = nn.constant dense<0.01> : tensor<16x16x1x1xf32>
  %w4 = nn.constant dense<0.01> : tensor<16x16x1x1xf32>
  %c = nn.conv %x, %w : (tensor<1x16x4x4xf32>, tensor<16x16x1x1xf32>) -> tensor<1x16x4x4xf32> loc("block")
  %s = nn.add %c, %x : (tensor<1x16x4x4xf32>, tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32> loc("sum")
  %r = nn.relu %s : tensor<1x16x4x4xf32> loc("relu")
  %m = nn.conv %r, %w : (tensor<1x16x4x4xf32>, tensor<16x16x1x1xf32>) -> tensor<1x16x4x4xf32> loc("main")
  %d = nn.conv %x, %w4 {kernel_shape = array<i64: 1, 1>} : (tensor<1x16x4x4xf32>, tensor<16x16x1x1xf32>) -> tensor<1x16x4x4xf32> loc("down")
  %s2 = nn.add %m, %d : (tensor<1x16x4x4xf32>, tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32> loc("sum2")
  %r2 = nn.relu %s2 : tensor<1x16x4x4xf32> loc("relu2")
  return %r2 : tensor<1x16x4x4xf32>
}

// -----

// Zero fills cover only the padding a k-slice reads, one DMA box (reading
// one zero element) per run of equally spaced rows: the last kernel
// position (2, 2) of a 3x3 pad-1 conv on 4x4 reads padding in the right
// column (3 rows, 4 positions apart) and the bottom row (4 positions) of
// the output.
// CHECK-LABEL: npu.layer "borders" kind "nn.conv"
// CHECK:       npu.dma_load %[[ZERO:[0-9]+]][0x0] f32 -> %[[A:[0-9]+]][0x0] f32 extents [1, 1, 5, 16] dram_strides [0, 0, 0, 0] sram_strides [0, 0, 128, 1]
// CHECK:       npu.mxu_matmul %[[A]][0x0] {{.*}} m 16 k 128 n 72
// CHECK-NEXT:  npu.dma_load %[[ZERO]][0x0] f32 -> %[[A]][0x20C0] f32 extents [1, 1, 3, 16] dram_strides [0, 0, 0, 0] sram_strides [0, 0, 64, 1]
// CHECK-NEXT:  npu.dma_load %[[ZERO]][0x0] f32 -> %[[A]][0x2300] f32 extents [1, 1, 4, 16] dram_strides [0, 0, 0, 0] sram_strides [0, 0, 16, 1]
// CHECK-NEXT:  npu.dma_load %0[0x14] f32 -> %[[A]][0x2000] f32 extents [1, 3, 3, 16]
// CHECK:       npu.mxu_matmul %[[A]][0x2000] {{.*}} m 16 k 16 n 72
// CHECK-NOT:   npu.vpu_broadcast
func.func @main(%x: tensor<1x16x4x4xf32>) -> tensor<1x72x4x4xf32> {
  %w = nn.constant dense<0.5> : tensor<72x16x3x3xf32>
  %c = nn.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x16x4x4xf32>, tensor<72x16x3x3xf32>) -> tensor<1x72x4x4xf32> loc("borders")
  return %c : tensor<1x72x4x4xf32>
}

// -----

// More input channels than the array has rows: K is ordered by blocks of
// 128 channels, and within a block (kernel position, channel). The nine
// k-tiles of channels 0-127 (one kernel position each) come first, so the
// layer starts on its producer's first 128 output channels; the last 64
// channels (2 kernel positions per 128-wide k-tile) follow, from input
// channel 128 (byte 0x2000).
// CHECK-LABEL: npu.layer "blocks" kind "nn.conv"
// CHECK-COUNT-9: npu.dma_load %0[{{0x[0-9A-F]?[0-9A-F]}}] f32 -> %{{.*}} extents [1, {{[34]}}, {{[34]}}, 128] dram_strides [0, 4, 1, 16]
// CHECK:       npu.dma_load %0[0x2000] f32 -> %{{.*}} extents [1, 3, 3, 64] dram_strides [0, 4, 1, 16] sram_strides [0, 512, 128, 1]
// CHECK:       npu.dma_load %0[0x2000] f32 -> %{{.*}} extents [1, 3, 4, 64]
// CHECK:       npu.mxu_matmul {{.*}} m 16 k 128 n 72 {{.*}} accumulate
func.func @main(%x: tensor<1x192x4x4xf32>) -> tensor<1x72x4x4xf32> {
  %w = nn.constant dense<0.5> : tensor<72x192x3x3xf32>
  %c = nn.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x192x4x4xf32>, tensor<72x192x3x3xf32>) -> tensor<1x72x4x4xf32> loc("blocks")
  return %c : tensor<1x72x4x4xf32>
}

// -----

// Few output positions (16) and many channels, at bf16: the conv runs
// transposed. The im2col tile of all 16 positions (one kernel position,
// 128 channels) is loaded into the array transposed; the weights, a
// [160 x 2304] compile-time copy in the same K order, stream through as
// rows (one per output channel) into a [channels x positions] accumulator.
// The bias is added per row (a column broadcast), the epilogue applies the
// relu, and the tile is already NCHW: one contiguous store.
// BF16:        npu.constant "conv_weight_rows" {{.*}} : tensor<160x2304xbf16>
// BF16-LABEL:  npu.layer "transposed" kind "nn.conv"
// BF16:        npu.dma_load %{{.*}}[0x0] bf16 -> %[[A:.*]][0x0] bf16 extents [1, 1, 160, 128] dram_strides [0, 0, 2304, 1] sram_strides [0, 0, 128, 1]
// BF16:        npu.dma_load %0[0x0] f32 -> %[[B:.*]][0x500] bf16 extents [1, 3, 3, 128] dram_strides [0, 4, 1, 16]
// BF16-NEXT:   npu.mxu_load_weights %[[B]][0x0] k 128 n 16 row_stride 128 bf16 transpose
// BF16-NEXT:   npu.mxu_matmul %[[A]][0x0] -> %[[ACC:.*]][0x0] m 160 k 128 n 16 row_stride 128 acc_row_stride 16 bf16
// BF16-COUNT-17: npu.mxu_matmul {{.*}} m 160 k 128 n 16 {{.*}} accumulate
// BF16-NEXT:   npu.vpu_binary add rows 160 cols 16 dst %[[ACC]][0x0] f32 stride 16 src0 %[[ACC]][0x0] f32 stride 16 src1 %{{.*}}[0x0] f32 stride 1 broadcast col
// BF16-NEXT:   npu.alloc
// BF16-NEXT:   npu.vpu_epilogue relu rows 160 cols 16 dst %[[OUT:.*]][0x0] f32 stride 16 src0 %[[ACC]][0x0] f32 stride 16
// BF16-NEXT:   npu.dma_store %[[OUT]][0x0] f32 -> %1[0x0] f32 extents [1, 1, 160, 16] sram_strides [0, 0, 16, 1] dram_strides [0, 0, 16, 1]
func.func @main(%x: tensor<1x256x4x4xf32>) -> tensor<1x160x4x4xf32> {
  %w = nn.constant dense<0.5> : tensor<160x256x3x3xf32>
  %b = nn.constant dense<1.0> : tensor<160xf32>
  %c = nn.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x256x4x4xf32>, tensor<160x256x3x3xf32>, tensor<160xf32>) -> tensor<1x160x4x4xf32> loc("transposed")
  %r = nn.relu %c : tensor<1x160x4x4xf32> loc("relu")
  return %r : tensor<1x160x4x4xf32>
}

// -----

// A max_pool that reads only the conv's (relu'd) output is emitted inside
// the conv's layer: no separate pool layer. The conv still stores its
// output to DRAM ("relu"); each band of pooled rows is loaded back from it
// once the conv row tiles it reads have been stored, one row tile late, so
// the pool's VPU work overlaps the next tile's matmuls. Here: two row
// tiles of 153 positions (9 output rows); pooled rows 0-3 follow the
// second tile, rows 4-7 and 8 the end.
// CHECK-LABEL: npu.layer "stem" kind "nn.conv"
// CHECK:       npu.vpu_epilogue relu rows 153 cols 72
// CHECK-NEXT:  npu.dma_store {{.*}} -> %[[CONV:.*]][0x0] f32 extents [1, 72, 9, 17]
// CHECK:       npu.vpu_epilogue relu rows 153 cols 72
// CHECK-NEXT:  npu.dma_store {{.*}} -> %[[CONV]][0x264] f32 extents [1, 72, 9, 17]
// CHECK:       npu.dma_load %[[CONV]][0x0]
// CHECK-COUNT-8: npu.vpu_binary max rows 72 cols 36
// CHECK-NEXT:  npu.dma_store {{.*}} -> %1[0x0] f32 extents [1, 1, 72, 36]
// CHECK-COUNT-8: npu.vpu_binary max rows 72 cols 36
// CHECK-NEXT:  npu.dma_store {{.*}} -> %1[0x90] f32 extents [1, 1, 72, 36]
// CHECK-COUNT-8: npu.vpu_binary max rows 72 cols 9
// CHECK-NEXT:  npu.dma_store {{.*}} -> %1[0x120] f32 extents [1, 1, 72, 9]
// CHECK-NEXT:  }
// CHECK-NOT:   npu.layer
func.func @main(%x: tensor<1x3x36x34xf32>) -> tensor<1x72x9x9xf32> {
  %w = nn.constant dense<0.1> : tensor<72x3x5x5xf32>
  %c = nn.conv %x, %w {pads = array<i64: 2, 2, 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x3x36x34xf32>, tensor<72x3x5x5xf32>) -> tensor<1x72x18x17xf32> loc("stem")
  %r = nn.relu %c : tensor<1x72x18x17xf32> loc("relu")
  %p = nn.max_pool %r {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x72x18x17xf32>) -> tensor<1x72x9x9xf32> loc("pool")
  return %p : tensor<1x72x9x9xf32>
}
