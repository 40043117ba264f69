// Serialize, inspect with llvm-readelf, disassemble, re-serialize: the bytes
// must be identical.
// RUN: npu-translate --serialize-npu %s -o %t.npu
// RUN: llvm-readelf -h -S %t.npu | FileCheck %s --check-prefix=ELF
// RUN: npu-translate --deserialize-npu %t.npu -o %t.mlir
// RUN: FileCheck %s --check-prefix=DIS < %t.mlir
// RUN: npu-translate --serialize-npu %t.mlir -o %t2.npu
// RUN: cmp %t.npu %t2.npu
// Disassembled instructions are located at their place in the binary.
// RUN: npu-translate --deserialize-npu %t.npu --mlir-print-debuginfo | FileCheck %s --check-prefix=LOC
// LOC: npuisa.vpu_unary relu {{.*}} loc([[VPU0:#loc[0-9]+]])
// LOC: [[VPU0]] = loc(".text.c0.vpu[0]"(
// The disassembly is valid IR that passes the verifiers and the sync check.
// RUN: npu-opt --npuisa-verify-sync %t.mlir -o /dev/null
// The op round-trip test's program (every instruction) round-trips too.
// RUN: npu-translate --serialize-npu %S/../Dialect/NPUISA/ops.mlir -o %t3.npu
// RUN: npu-translate --deserialize-npu %t3.npu | npu-translate --serialize-npu -o %t4.npu
// RUN: cmp %t3.npu %t4.npu

// ELF: Class: ELF64
// ELF: Type: EXEC
// ELF: Machine: 4e50
// ELF: .npu.target
// ELF: .text.c0.dma_load
// ELF: .text.c0.dma_store
// ELF: .text.c0.mxu
// ELF: .text.c0.vpu
// ELF: .text.c1.dma_load
// ELF: .text.c1.dma_store
// ELF: .text.c1.mxu
// ELF: .text.c1.vpu
// ELF: .npu.srcmap
// ELF: .npu.io
// ELF: .npu.state
// ELF: .npu.constmap
// ELF: .rodata
// ELF: .strtab
// ELF: .shstrtab

// DIS: module attributes {npu.target = #npu.target<"npu-tiny", {cores = 2}>}
// DIS: npuisa.io "x" input f32 [4, 32] at 0x0
// DIS: npuisa.io "y" output f32 [4, 32] at 0x200
// DIS: npuisa.state "bias" f32 [32] at 0x400
// Small constants stay inline, large ones become resource blobs.
// DIS: npuisa.constant at 0x400 dense<"0x0000803F{{.*}}> : tensor<128xi8>
// DIS: npuisa.constant at 0x10000 dense_resource<constant1> : tensor<8192xi8>
// DIS: npuisa.source_op 0 "relu" kind "nn.relu" macs 0 vector_ops 128 min_dram_bytes 1024
// DIS: npuisa.engine core 0 dma_load {
// DIS-NEXT: npuisa.dma_load dram[0x0] -> sram[0x0] extents [1, 1, 4, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1] f32 -> f32 signal [0] source 0
// DIS-NEXT: npuisa.halt
// DIS: npuisa.engine core 0 vpu {
// DIS-NEXT: npuisa.vpu_unary relu rows 4 cols 32 dst sram[0x200] f32 stride 32 src0 sram[0x0] f32 stride 32 wait [0] signal [1] source 0
// DIS: npuisa.engine core 1 dma_load {
// DIS-NEXT: npuisa.halt

module attributes {npu.target = #npu.target<"npu-tiny", {cores = 2}>} {
  npuisa.program @relu {
    npuisa.io "x" input f32 [4, 32] at 0x0
    npuisa.io "y" output f32 [4, 32] at 0x200
    npuisa.state "bias" f32 [32] at 0x400
    npuisa.constant at 0x400 dense<1.0> : tensor<32xf32>
    npuisa.constant at 0x10000 dense<2.0> : tensor<2048xf32>
    npuisa.source_op 0 "relu" kind "nn.relu" macs 0 vector_ops 128 min_dram_bytes 1024
    npuisa.engine core 0 dma_load {
      npuisa.dma_load dram[0x0] -> sram[0x0] extents [1, 1, 4, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1] f32 -> f32 signal [0] source 0
      npuisa.halt
    }
    npuisa.engine core 0 vpu {
      npuisa.vpu_unary relu rows 4 cols 32 dst sram[0x200] f32 stride 32 src0 sram[0x0] f32 stride 32 wait [0] signal [1] source 0
      npuisa.halt
    }
    npuisa.engine core 0 dma_store {
      npuisa.dma_store sram[0x200] -> dram[0x200] extents [1, 1, 4, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1] f32 -> f32 wait [1]
      npuisa.halt
    }
  }
}
