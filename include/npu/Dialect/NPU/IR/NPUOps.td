//===- NPUOps.td - the npu buffer-level IR -----------------*- tablegen -*-===//
//
// The tiling level: a program of DRAM tensors and, per model op, a layer of
// on-chip buffers and chip instructions whose addresses are (buffer, byte
// offset) pairs. Field names and enum spellings mirror npuisa
// (NPUISAOps.td) and the runtime's `Instruction` (npu/Runtime/ISA.h); the
// enums are npu's own because npuisa already depends on this dialect.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_DIALECT_NPU_IR_NPUOPS_TD
#define NPU_DIALECT_NPU_IR_NPUOPS_TD

include "npu/Dialect/NPU/IR/NPUAttrs.td"
include "npu/Dialect/NPU/IR/NPUInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Enums (values equal the runtime's, see the static_asserts in NPUOps.cpp)
//===----------------------------------------------------------------------===//

def NPU_SpaceAttr : I32EnumAttr<"Space", "the memory a buffer lives in", [
    I32EnumAttrCase<"Dram", 0, "dram">, I32EnumAttrCase<"Sram", 1, "sram">,
    I32EnumAttrCase<"Acc", 2, "acc">]> {
  let cppNamespace = "::mlir::npu";
}

def NPU_IOKindAttr : I32EnumAttr<"IOKind",
    "role of a host-visible DRAM tensor", [
    I32EnumAttrCase<"input", 0>, I32EnumAttrCase<"output", 1>,
    I32EnumAttrCase<"state", 2>]> {
  let cppNamespace = "::mlir::npu";
}

def NPU_VpuFuncKindAttr : I32EnumAttr<"VpuFuncKind", "VPU function", [
    I32EnumAttrCase<"none", 0>,
    I32EnumAttrCase<"add", 1>, I32EnumAttrCase<"sub", 2>,
    I32EnumAttrCase<"mul", 3>, I32EnumAttrCase<"div", 4>,
    I32EnumAttrCase<"max", 5>, I32EnumAttrCase<"min", 6>,
    I32EnumAttrCase<"pow", 7>, I32EnumAttrCase<"cmp_lt", 8>,
    I32EnumAttrCase<"cmp_le", 9>, I32EnumAttrCase<"cmp_eq", 10>,
    I32EnumAttrCase<"cmp_ne", 11>,
    I32EnumAttrCase<"copy", 32>, I32EnumAttrCase<"relu", 33>,
    I32EnumAttrCase<"leaky_relu", 34>, I32EnumAttrCase<"exp", 35>,
    I32EnumAttrCase<"log", 36>, I32EnumAttrCase<"tanh", 37>,
    I32EnumAttrCase<"sigmoid", 38>, I32EnumAttrCase<"erf", 39>,
    I32EnumAttrCase<"sqrt", 40>, I32EnumAttrCase<"rsqrt", 41>,
    I32EnumAttrCase<"recip", 42>, I32EnumAttrCase<"neg", 43>,
    I32EnumAttrCase<"abs", 44>, I32EnumAttrCase<"gelu", 45>,
    I32EnumAttrCase<"gelu_tanh", 46>, I32EnumAttrCase<"clip", 47>,
    I32EnumAttrCase<"square", 48>, I32EnumAttrCase<"floor", 49>,
    I32EnumAttrCase<"ceil", 50>, I32EnumAttrCase<"round_even", 51>,
    I32EnumAttrCase<"trunc", 52>, I32EnumAttrCase<"sign", 53>,
    I32EnumAttrCase<"sin", 54>, I32EnumAttrCase<"cos", 55>,
    I32EnumAttrCase<"tan", 56>, I32EnumAttrCase<"asin", 57>,
    I32EnumAttrCase<"acos", 58>, I32EnumAttrCase<"atan", 59>,
    I32EnumAttrCase<"mod", 60>, I32EnumAttrCase<"fmod", 61>,
    I32EnumAttrCase<"hash_uniform", 63>]> {
  let cppNamespace = "::mlir::npu";
}

def NPU_BroadcastKindAttr : I32EnumAttr<"BroadcastKind",
    "how a VPU operand is broadcast", [
    I32EnumAttrCase<"none", 0>, I32EnumAttrCase<"row", 1>,
    I32EnumAttrCase<"col", 2>, I32EnumAttrCase<"scalar", 3>]> {
  let cppNamespace = "::mlir::npu";
}

def NPU_ReduceDimKindAttr : I32EnumAttr<"ReduceDimKind",
    "the index a VPU reduction runs over", [
    I32EnumAttrCase<"cols", 0>, I32EnumAttrCase<"rows", 1>]> {
  let cppNamespace = "::mlir::npu";
}

//===----------------------------------------------------------------------===//
// Types and attribute constraints
//===----------------------------------------------------------------------===//

def NPU_BufferType : TypeDef<NPU_Dialect, "Buffer"> {
  let mnemonic = "buffer";
  let summary = "a contiguous byte range of one of the chip's memories";
  let description = [{
    Defined by `npu.alloc`, `npu.io` or `npu.constant`, which give its
    memory, size and (once placed) address.
  }];
}

/// A byte offset inside a buffer, printed in hex.
def NPU_Offset : ConfinedAttr<I64Attr, [IntNonNegative]>;
def NPU_Count : ConfinedAttr<I64Attr, [IntNonNegative]>;
def NPU_U16 : ConfinedAttr<I64Attr, [IntNonNegative, IntMaxValue<65535>]>;
def NPU_U32 : ConfinedAttr<I64Attr, [IntNonNegative,
                                     IntMaxValue<4294967295>]>;
def NPU_ChipDType : TypeAttrOf<AnyTypeOf<[F32, BF16, I8, I32],
                                         "a chip dtype (f32, bf16, i8, i32)">>;

//===----------------------------------------------------------------------===//
// Program structure and buffers
//===----------------------------------------------------------------------===//

def NPU_ProgramOp : NPU_Op<"program", [
    Symbol, IsolatedFromAbove, SingleBlock, NoTerminator,
    NoRegionArguments]> {
  let summary = "a compiled model at the buffer level, in program order";
  let description = [{
    The DRAM tensors (I/O, constants, intermediates) and one `npu.layer` per
    model op, in the order the chip runs them. Program order is what buffer
    lifetimes (npu-place-memory) and instruction hazards (npu-lower-to-isa)
    are computed from.

    ```mlir
    npu.program @main {
      %x = npu.io "x" input f32 [4, 32]
      %y = npu.io "y" output f32 [4, 32]
      npu.layer "relu" kind "nn.relu" macs 0 vector_ops 128 min_dram_bytes 1024 {
        %a = npu.alloc sram 512
        npu.dma_load %x[0x0] f32 -> %a[0x0] f32 extents [1, 1, 4, 32]
            dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1]
        ...
      }
    }
    ```

    The verifier checks every instruction against the module's chip
    (`npu.target`), with the offsets in place of addresses.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$sym_name attr-dict-with-keyword $body";

  let hasRegionVerifier = 1;
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::llvm::StringRef":$name)>];
}

def NPU_LayerOp : NPU_Op<"layer", [
    HasParent<"ProgramOp">, SingleBlock, NoTerminator, NoRegionArguments]> {
  let summary = "the chip work of one model op: on-chip buffers + instructions";
  let description = [{
    `name` is the source op's name (the ONNX node name), `kind` its op name;
    `macs`, `vector_ops` and `min_dram_bytes` are its useful work, from which
    the simulator derives the roofline lower bound. The body holds the
    layer's SRAM/ACC buffers and its instructions in program order.

    ```mlir
    npu.layer "conv1" kind "nn.conv" macs 118013952 vector_ops 0
        min_dram_bytes 3211264 {
      ...
    }
    ```
  }];
  let arguments = (ins StrAttr:$name, StrAttr:$kind, NPU_Count:$macs,
                       NPU_Count:$vector_ops, NPU_Count:$min_dram_bytes);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $name `kind` $kind `macs` $macs `vector_ops` $vector_ops
    `min_dram_bytes` $min_dram_bytes attr-dict-with-keyword $body
  }];

  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::llvm::StringRef":$name,
      "::llvm::StringRef":$kind, "uint64_t":$macs, "uint64_t":$vectorOps,
      "uint64_t":$minDramBytes)>];
}

def NPU_AllocOp : NPU_Op<"alloc", [
    DeclareOpInterfaceMethods<NPU_BufferOpInterface,
                              ["isLiveForWholeProgram"]>]> {
  let summary = "a buffer of `bytes` in DRAM, SRAM or the accumulator";
  let description = [{
    ```mlir
    %a = npu.alloc sram 65536 name "conv1.input"
    %b = npu.alloc acc 4096 at 0x1000
    ```
    Live from its first to its last use in program order; npu-place-memory
    sets `address`.
  }];
  let arguments = (ins NPU_SpaceAttr:$space, NPU_Count:$bytes,
                       OptionalAttr<StrAttr>:$name,
                       OptionalAttr<NPU_Offset>:$address);
  let results = (outs NPU_BufferType:$buffer);
  let assemblyFormat = [{
    $space $bytes (`name` $name^)? (`at` custom<Offset>($address)^)? attr-dict
  }];

  let hasVerifier = 1;
}

def NPU_IOOp : NPU_Op<"io", [HasParent<"ProgramOp">,
    DeclareOpInterfaceMethods<NPU_BufferOpInterface>]> {
  let summary = "an input, output or persistent state tensor, in DRAM";
  let description = [{
    `%x = npu.io "x" input f32 [1, 784]`: dense row-major; the host writes
    inputs before the run and reads outputs after it.

    `%w = npu.io "fc.weight" state f32 [784, 128] init dense_resource<w>
    : tensor<784x128xf32>`: persistent state (training weights, optimizer
    slots). It keeps its value from one run of the program to the next; the
    host may read and write it between runs. `init` is the value it has when
    the binary is loaded (zeros without it); the lowering places it as a
    constant at the tensor's own address.
  }];
  let arguments = (ins StrAttr:$name, NPU_IOKindAttr:$kind,
                       NPU_ChipDType:$dtype, DenseI64ArrayAttr:$shape,
                       OptionalAttr<ElementsAttr>:$initial_value,
                       OptionalAttr<NPU_Offset>:$address);
  let results = (outs NPU_BufferType:$buffer);
  let assemblyFormat = [{
    $name $kind $dtype $shape (`init` $initial_value^)?
    (`at` custom<Offset>($address)^)? attr-dict
  }];

  let hasVerifier = 1;
}

def NPU_ConstantOp : NPU_Op<"constant", [HasParent<"ProgramOp">,
    DeclareOpInterfaceMethods<NPU_BufferOpInterface, ["isReadOnly"]>]> {
  let summary = "read-only tensor data placed in DRAM before the run";
  let description = [{
    `%w = npu.constant "fc.weight" dense_resource<blob> : tensor<128x64xbf16>`:
    the raw little-endian bytes of `data` (f32, bf16, i8 or i32 elements).
  }];
  let arguments = (ins StrAttr:$name, ElementsAttr:$data,
                       OptionalAttr<NPU_Offset>:$address);
  let results = (outs NPU_BufferType:$buffer);
  let assemblyFormat = [{
    $name (`at` custom<Offset>($address)^)? $data attr-dict
  }];

  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Instructions
//===----------------------------------------------------------------------===//

class NPU_InstOp<string mnemonic, list<Trait> traits = []>
    : NPU_Op<mnemonic, traits # [
        DeclareOpInterfaceMethods<NPU_InstructionOpInterface>,
        HasParent<"LayerOp">]> {
  let hasVerifier = 1;
}

/// Shared by dma_load and dma_store.
defvar NPU_DmaFields = (ins
    NPU_BufferType:$dram, NPU_Offset:$dram_offset, NPU_ChipDType:$dram_dtype,
    NPU_BufferType:$sram, NPU_U32:$sram_offset, NPU_ChipDType:$sram_dtype,
    DenseI64ArrayAttr:$extents, DenseI64ArrayAttr:$dram_strides,
    DenseI64ArrayAttr:$sram_strides);

def NPU_DmaLoadOp : NPU_InstOp<"dma_load"> {
  let summary = "DRAM -> SRAM, a 4-D strided box, optional f32 <-> bf16";
  let description = [{
    ```mlir
    npu.dma_load %x[0x0] f32 -> %a[0x40] bf16 extents [1, 1, 64, 128]
        dram_strides [0, 0, 128, 1] sram_strides [0, 0, 128, 1]
    ```
    Dim 0 outermost, strides in elements of each side's dtype.
  }];
  let arguments = NPU_DmaFields;
  let assemblyFormat = [{
    $dram `[` custom<Offset>($dram_offset) `]` $dram_dtype `->`
    $sram `[` custom<Offset>($sram_offset) `]` $sram_dtype
    `extents` $extents `dram_strides` $dram_strides
    `sram_strides` $sram_strides attr-dict
  }];
}

def NPU_DmaStoreOp : NPU_InstOp<"dma_store"> {
  let summary = "SRAM -> DRAM, a 4-D strided box, optional f32 <-> bf16";
  let description = [{
    ```mlir
    npu.dma_store %a[0x0] bf16 -> %y[0x100] f32 extents [1, 1, 64, 128]
        sram_strides [0, 0, 128, 1] dram_strides [0, 0, 128, 1]
    ```
  }];
  let arguments = NPU_DmaFields;
  let assemblyFormat = [{
    $sram `[` custom<Offset>($sram_offset) `]` $sram_dtype `->`
    $dram `[` custom<Offset>($dram_offset) `]` $dram_dtype
    `extents` $extents `sram_strides` $sram_strides
    `dram_strides` $dram_strides attr-dict
  }];
}

def NPU_MxuLoadWeightsOp : NPU_InstOp<"mxu_load_weights"> {
  let summary = "SRAM [k x n] -> the systolic array's weight registers";
  let description = [{
    ```mlir
    npu.mxu_load_weights %w[0x0] k 128 n 128 row_stride 128 bf16
    ```
    With `transpose` the SRAM holds the weights as [n x k].
  }];
  let arguments = (ins NPU_BufferType:$sram, NPU_U32:$sram_offset,
                       NPU_U16:$k, NPU_U16:$n, NPU_U32:$row_stride,
                       NPU_ChipDType:$mxu_dtype, UnitAttr:$transpose);
  let assemblyFormat = [{
    $sram `[` custom<Offset>($sram_offset) `]` `k` $k `n` $n
    `row_stride` $row_stride $mxu_dtype (`transpose` $transpose^)? attr-dict
  }];
}

def NPU_MxuMatmulOp : NPU_InstOp<"mxu_matmul"> {
  let summary = "SRAM [m x k] x loaded weights -> ACC [m x n]";
  let description = [{
    ```mlir
    npu.mxu_matmul %a[0x0] -> %acc[0x0] m 64 k 128 n 128 row_stride 128
        acc_row_stride 128 bf16 accumulate
    ```
  }];
  let arguments = (ins NPU_BufferType:$sram, NPU_U32:$sram_offset,
                       NPU_BufferType:$acc, NPU_U32:$acc_offset,
                       NPU_U32:$m, NPU_U16:$k, NPU_U16:$n,
                       NPU_U32:$row_stride, NPU_U32:$acc_row_stride,
                       NPU_ChipDType:$mxu_dtype, UnitAttr:$accumulate);
  let assemblyFormat = [{
    $sram `[` custom<Offset>($sram_offset) `]` `->`
    $acc `[` custom<Offset>($acc_offset) `]` `m` $m `k` $k `n` $n
    `row_stride` $row_stride `acc_row_stride` $acc_row_stride $mxu_dtype
    (`accumulate` $accumulate^)? attr-dict
  }];
}

// VPU operands: a buffer (in sram or acc, which gives the operand's `mem`),
// a byte offset, a dtype and a row stride in elements. Optional operands
// have all three attributes or none.
defvar NPU_Shape = (ins NPU_U16:$rows, NPU_U16:$cols);
defvar NPU_Dst = (ins NPU_BufferType:$dst, NPU_U32:$dst_offset,
                      NPU_ChipDType:$dst_dtype, NPU_U32:$dst_stride);
defvar NPU_Src0 = (ins NPU_BufferType:$src0, NPU_U32:$src0_offset,
                       NPU_ChipDType:$src0_dtype, NPU_U32:$src0_stride);
defvar NPU_Src1 = (ins NPU_BufferType:$src1, NPU_U32:$src1_offset,
                       NPU_ChipDType:$src1_dtype, NPU_U32:$src1_stride);
defvar NPU_Src2 = (ins NPU_BufferType:$src2, NPU_U32:$src2_offset,
                       NPU_ChipDType:$src2_dtype, NPU_U32:$src2_stride);
defvar NPU_OptSrc0 = (ins Optional<NPU_BufferType>:$src0,
    OptionalAttr<NPU_U32>:$src0_offset,
    OptionalAttr<NPU_ChipDType>:$src0_dtype,
    OptionalAttr<NPU_U32>:$src0_stride);
defvar NPU_OptSrc1 = (ins Optional<NPU_BufferType>:$src1,
    OptionalAttr<NPU_U32>:$src1_offset,
    OptionalAttr<NPU_ChipDType>:$src1_dtype,
    OptionalAttr<NPU_U32>:$src1_stride);

defvar NPU_ShapeFormat = "`rows` $rows `cols` $cols ";
defvar NPU_DstFormat =
    "`dst` $dst `[` custom<Offset>($dst_offset) `]` $dst_dtype `stride` $dst_stride ";
defvar NPU_Src0Format =
    "`src0` $src0 `[` custom<Offset>($src0_offset) `]` $src0_dtype `stride` $src0_stride ";
defvar NPU_Src1Format =
    "`src1` $src1 `[` custom<Offset>($src1_offset) `]` $src1_dtype `stride` $src1_stride ";
defvar NPU_Src2Format =
    "`src2` $src2 `[` custom<Offset>($src2_offset) `]` $src2_dtype `stride` $src2_stride ";
defvar NPU_OptSrc0Format =
    "(`src0` $src0^ `[` custom<Offset>($src0_offset) `]` $src0_dtype `stride` $src0_stride)? ";
defvar NPU_OptSrc1Format =
    "(`src1` $src1^ `[` custom<Offset>($src1_offset) `]` $src1_dtype `stride` $src1_stride)? ";

def NPU_VpuBinaryOp : NPU_InstOp<"vpu_binary"> {
  let summary = "dst = func(src0, src1 | broadcast src1 | scalar imm0)";
  let description = [{
    ```mlir
    npu.vpu_binary add rows 64 cols 128 dst %c[0x0] f32 stride 128
        src0 %a[0x0] f32 stride 128 src1 %b[0x0] f32 stride 0 broadcast row
    ```
  }];
  let arguments = !con((ins NPU_VpuFuncKindAttr:$func), NPU_Shape, NPU_Dst,
      NPU_Src0, NPU_OptSrc1,
      (ins NPU_BroadcastKindAttr:$broadcast, OptionalAttr<F32Attr>:$imm0));
  let assemblyFormat = !strconcat("$func ", NPU_ShapeFormat, NPU_DstFormat,
      NPU_Src0Format, NPU_OptSrc1Format,
      "`broadcast` $broadcast (`imm0` $imm0^)? attr-dict");
}

def NPU_VpuUnaryOp : NPU_InstOp<"vpu_unary"> {
  let summary = "dst = func(src0) (activations, math functions, copy)";
  let description = [{
    ```mlir
    npu.vpu_unary relu rows 64 cols 128 dst %a[0x0] f32 stride 128
        src0 %a[0x0] f32 stride 128
    ```
  }];
  let arguments = !con((ins NPU_VpuFuncKindAttr:$func), NPU_Shape, NPU_Dst,
      NPU_Src0, (ins OptionalAttr<F32Attr>:$imm0, OptionalAttr<F32Attr>:$imm1));
  let assemblyFormat = !strconcat("$func ", NPU_ShapeFormat, NPU_DstFormat,
      NPU_Src0Format, "(`imm0` $imm0^)? (`imm1` $imm1^)? attr-dict");
}

def NPU_VpuReduceOp : NPU_InstOp<"vpu_reduce"> {
  let summary = "dst = reduce(src0) over the columns or the rows";
  let description = [{
    ```mlir
    npu.vpu_reduce max over cols rows 64 cols 128 dst %m[0x0] f32 stride 1
        src0 %a[0x0] f32 stride 128
    ```
  }];
  let arguments = !con((ins NPU_VpuFuncKindAttr:$func,
                            NPU_ReduceDimKindAttr:$reduce_dim), NPU_Shape,
      NPU_Dst, NPU_Src0, (ins UnitAttr:$accumulate));
  let assemblyFormat = !strconcat("$func `over` $reduce_dim ", NPU_ShapeFormat,
      NPU_DstFormat, NPU_Src0Format, "(`accumulate` $accumulate^)? attr-dict");
}

def NPU_VpuBroadcastOp : NPU_InstOp<"vpu_broadcast"> {
  let summary = "dst = a row vector, a column vector or the scalar imm0";
  let description = [{
    ```mlir
    npu.vpu_broadcast scalar rows 64 cols 128 dst %a[0x0] f32 stride 128
        imm0 0.0
    ```
  }];
  let arguments = !con((ins NPU_BroadcastKindAttr:$broadcast), NPU_Shape,
      NPU_Dst, NPU_OptSrc0, (ins OptionalAttr<F32Attr>:$imm0));
  let assemblyFormat = !strconcat("$broadcast ", NPU_ShapeFormat,
      NPU_DstFormat, NPU_OptSrc0Format, "(`imm0` $imm0^)? attr-dict");
}

def NPU_VpuCastOp : NPU_InstOp<"vpu_cast"> {
  let summary = "dst = convert(src0): rounding, int8 (re)quantization";
  let description = [{
    ```mlir
    npu.vpu_cast rows 64 cols 128 dst %a[0x0] bf16 stride 128
        src0 %acc[0x0] f32 stride 128
    npu.vpu_cast rows 4 cols 8 dst %i[0x0] i32 stride 8
        src0 %f[0x0] f32 stride 8 rounding trunc
    ```
    `rounding` (trunc, floor, ceil, round_even) is the ISA's `func`: a
    float -> i32 conversion needs one, every other conversion none.
  }];
  let arguments = !con(NPU_Shape, NPU_Dst, NPU_Src0,
      (ins OptionalAttr<F32Attr>:$scale, OptionalAttr<I32Attr>:$zero_point,
           OptionalAttr<NPU_VpuFuncKindAttr>:$rounding));
  let assemblyFormat = !strconcat(NPU_ShapeFormat, NPU_DstFormat,
      NPU_Src0Format, "(`scale` $scale^)? (`zero_point` $zero_point^)? "
      "(`rounding` $rounding^)? attr-dict");
}

def NPU_VpuSelectOp : NPU_InstOp<"vpu_select"> {
  let summary = "dst = src0 != 0 ? src1 : src2";
  let description = [{
    ```mlir
    npu.vpu_select rows 4 cols 32 dst %d[0x0] f32 stride 32
        src0 %c[0x0] f32 stride 32 src1 %a[0x0] f32 stride 32
        src2 %b[0x0] f32 stride 32
    ```
  }];
  let arguments = !con(NPU_Shape, NPU_Dst, NPU_Src0, NPU_Src1, NPU_Src2);
  let assemblyFormat = !strconcat(NPU_ShapeFormat, NPU_DstFormat,
      NPU_Src0Format, NPU_Src1Format, NPU_Src2Format, "attr-dict");
}

def NPU_VpuEpilogueOp : NPU_InstOp<"vpu_epilogue"> {
  let summary = "ACC -> SRAM: + bias row (src1), activation, output dtype";
  let description = [{
    ```mlir
    npu.vpu_epilogue relu rows 64 cols 128 dst %o[0x0] bf16 stride 128
        src0 %acc[0x0] f32 stride 128 src1 %bias[0x0] f32 stride 0
    ```
    `src1`, when present, is the [1 x cols] bias row vector.
  }];
  let arguments = !con((ins NPU_VpuFuncKindAttr:$func), NPU_Shape, NPU_Dst,
      NPU_Src0, NPU_OptSrc1,
      (ins OptionalAttr<F32Attr>:$imm0, OptionalAttr<F32Attr>:$imm1,
           OptionalAttr<F32Attr>:$scale, OptionalAttr<I32Attr>:$zero_point));
  let assemblyFormat = !strconcat("$func ", NPU_ShapeFormat, NPU_DstFormat,
      NPU_Src0Format, NPU_OptSrc1Format,
      "(`imm0` $imm0^)? (`imm1` $imm1^)? (`scale` $scale^)? "
      "(`zero_point` $zero_point^)? attr-dict");
}

#endif // NPU_DIALECT_NPU_IR_NPUOPS_TD
