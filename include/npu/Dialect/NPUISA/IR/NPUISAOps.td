//===- NPUISAOps.td - npuisa ops ---------------------------*- tablegen -*-===//
//
// The program structure (program, engine blocks, I/O / state / constant /
// source-map tables) and one op per machine instruction. Field names mirror
// the runtime's `Instruction` (include/npu/Runtime/ISA.h).
//
//===----------------------------------------------------------------------===//
#ifndef NPU_DIALECT_NPUISA_IR_NPUISAOPS_TD
#define NPU_DIALECT_NPUISA_IR_NPUISAOPS_TD

include "npu/Dialect/NPUISA/IR/NPUISADialect.td"
include "npu/Dialect/NPUISA/IR/NPUISAInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def NPUISA_EngineAttr : I32EnumAttr<"Engine", "an engine queue of a core", [
    I32EnumAttrCase<"dma_load", 0>, I32EnumAttrCase<"dma_store", 1>,
    I32EnumAttrCase<"mxu", 2>, I32EnumAttrCase<"vpu", 3>]> {
  let cppNamespace = "::mlir::npuisa";
}

def NPUISA_IOKindAttr : I32EnumAttr<"IOKind", "direction of an I/O tensor", [
    I32EnumAttrCase<"input", 0>, I32EnumAttrCase<"output", 1>]> {
  let cppNamespace = "::mlir::npuisa";
}

def NPUISA_MemAttr : I32EnumAttr<"Mem", "memory of a VPU operand", [
    I32EnumAttrCase<"sram", 0>, I32EnumAttrCase<"acc", 1>]> {
  let cppNamespace = "::mlir::npuisa";
}

def NPUISA_VpuFuncAttr : I32EnumAttr<"VpuFunc", "VPU function", [
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
  let cppNamespace = "::mlir::npuisa";
}

def NPUISA_BroadcastAttr : I32EnumAttr<"Broadcast",
    "how a VPU operand is broadcast", [
    I32EnumAttrCase<"none", 0>, I32EnumAttrCase<"row", 1>,
    I32EnumAttrCase<"col", 2>, I32EnumAttrCase<"scalar", 3>]> {
  let cppNamespace = "::mlir::npuisa";
}

def NPUISA_ReduceDimAttr : I32EnumAttr<"ReduceDim",
    "the index a VPU reduction runs over", [
    I32EnumAttrCase<"cols", 0>, I32EnumAttrCase<"rows", 1>]> {
  let cppNamespace = "::mlir::npuisa";
}

def NPUISA_OperandAttr : AttrDef<NPUISA_Dialect, "Operand"> {
  let mnemonic = "operand";
  let summary = "a 2-D VPU operand: memory, byte address, dtype, row stride";
  let description = [{
    Printed `sram[0x200] f32 stride 128` inside instructions (the row stride
    is in elements), `#npuisa.operand<sram[0x200] f32 stride 128>` alone.
  }];
  let parameters = (ins "Mem":$mem, "uint32_t":$addr, "::mlir::Type":$dtype,
                        "uint32_t":$row_stride);
  let hasCustomAssemblyFormat = 1;
  let extraClassDeclaration = [{
    /// `sram[0x200] f32 stride 128`, the form used inside instructions.
    static OperandAttr parseOperandBody(::mlir::AsmParser &parser);
    void printOperandBody(::mlir::AsmPrinter &printer) const;
  }];
}

/// A 64-bit address, printed in hex.
def NPUISA_Address : ConfinedAttr<I64Attr, [IntNonNegative]>;

//===----------------------------------------------------------------------===//
// Program structure
//===----------------------------------------------------------------------===//

def NPUISA_ProgramOp : NPUISA_Op<"program", [
    Symbol, IsolatedFromAbove, SingleBlock, NoTerminator,
    NoRegionArguments]> {
  let summary = "a chip program: tables plus one block per engine queue";
  let description = [{
    The whole binary: I/O table, persistent state, constants, source map and
    the instruction streams. The chip is the `npu.target` attribute of the
    enclosing module (or of the program itself).

    ```mlir
    module attributes {npu.target = #npu.target<"npu-tiny">} {
      npuisa.program @mlp {
        npuisa.io "x" input f32 [4, 32] at 0x0
        npuisa.engine core 0 dma_load {
          npuisa.halt
        }
      }
    }
    ```

    The verifier checks each instruction against the chip (with the
    runtime's `validateInstruction`), that each instruction sits in a block
    of its engine, that each block ends with its only `halt`, that no
    (core, engine) queue appears twice and that every table entry fits in
    DRAM.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$sym_name attr-dict-with-keyword $body";

  let hasRegionVerifier = 1;
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::llvm::StringRef":$name)>];
}

def NPUISA_EngineOp : NPUISA_Op<"engine", [
    HasParent<"ProgramOp">, SingleBlock, NoTerminator, NoRegionArguments]> {
  let summary = "the instruction queue of one engine of one core";
  let description = [{
    Instructions run in order; the engine issues the next one when its waits
    are satisfied. The block must end with `npuisa.halt`.

    ```mlir
    npuisa.engine core 0 mxu {
      npuisa.mxu_load_weights ...
      npuisa.halt
    }
    ```
  }];
  let arguments = (ins ConfinedAttr<I32Attr, [IntNonNegative]>:$core,
                       NPUISA_EngineAttr:$engine);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "`core` $core $engine attr-dict-with-keyword $body";

  let hasRegionVerifier = 1;
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "uint32_t":$core, "Engine":$engine)>];
}

def NPUISA_IOOp : NPUISA_Op<"io", [HasParent<"ProgramOp">]> {
  let summary = "an input or output tensor of the program, in DRAM";
  let description = [{
    `npuisa.io "x" input f32 [1, 784] at 0x0`: the host writes inputs there
    before the run and reads outputs from there after it (row-major,
    densely packed).
  }];
  let arguments = (ins StrAttr:$name, NPUISA_IOKindAttr:$kind,
                       TypeAttr:$dtype, DenseI64ArrayAttr:$shape,
                       NPUISA_Address:$address);
  let assemblyFormat = [{
    $name $kind $dtype $shape `at` custom<Address>($address) attr-dict
  }];

  let hasVerifier = 1;
}

def NPUISA_StateOp : NPUISA_Op<"state", [HasParent<"ProgramOp">]> {
  let summary = "a persistent tensor in DRAM (training weights, moments)";
  let description = [{
    `npuisa.state "fc1.weight" f32 [784, 128] at 0x10000`: lives in DRAM
    across runs of the program; the host may load and save it.
  }];
  let arguments = (ins StrAttr:$name, TypeAttr:$dtype,
                       DenseI64ArrayAttr:$shape, NPUISA_Address:$address);
  let assemblyFormat = [{
    $name $dtype $shape `at` custom<Address>($address) attr-dict
  }];

  let hasVerifier = 1;
}

def NPUISA_ConstantOp : NPUISA_Op<"constant", [HasParent<"ProgramOp">]> {
  let summary = "read-only bytes placed in DRAM before the run";
  let description = [{
    `npuisa.constant at 0x2000 dense<[1.0, 2.0]> : tensor<2xf32>`: the raw
    (little-endian) bytes of the elements are copied to DRAM at the address.
    Large constants use `dense_resource` blobs.
  }];
  let arguments = (ins NPUISA_Address:$address, ElementsAttr:$data);
  let assemblyFormat = "`at` custom<Address>($address) $data attr-dict";

  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The bytes stored in DRAM, or failure for element types whose memory
    /// layout is not defined (i1, non-byte-sized integers).
    ::mlir::FailureOr<std::vector<uint8_t>> getBytes();
  }];
}

def NPUISA_SourceOp : NPUISA_Op<"source_op", [HasParent<"ProgramOp">]> {
  let summary = "a source-map entry: the model op some instructions implement";
  let description = [{
    `npuisa.source_op 0 "conv1" kind "Conv" macs 118013952 vector_ops 0
    min_dram_bytes 3211264`: entry `index` of the source map, with the op's
    useful work, from which the simulator derives the roofline lower bound.
    Instructions point at it with `source <index>`.
  }];
  let arguments = (ins ConfinedAttr<I64Attr, [IntNonNegative]>:$index,
                       StrAttr:$name, StrAttr:$kind,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$macs,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$vector_ops,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$min_dram_bytes);
  let assemblyFormat = [{
    $index $name `kind` $kind `macs` $macs `vector_ops` $vector_ops
    `min_dram_bytes` $min_dram_bytes attr-dict
  }];

}

//===----------------------------------------------------------------------===//
// Instructions
//===----------------------------------------------------------------------===//


/// Fields every instruction has, spliced into each op's arguments.
defvar NPUISA_SyncFields = (ins
    OptionalAttr<DenseI32ArrayAttr>:$wait,
    OptionalAttr<DenseI32ArrayAttr>:$signal,
    OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$source);

/// Assembly of the fields every instruction has.
defvar NPUISA_SyncFormat =
    "(`wait` $wait^)? (`signal` $signal^)? (`source` $source^)? attr-dict";

class NPUISA_InstOp<string mnemonic, list<Trait> traits = []>
    : NPUISA_Op<mnemonic, traits # [
        DeclareOpInterfaceMethods<NPUISA_InstructionOpInterface>,
        HasParent<"EngineOp">]> {
  let hasVerifier = 1;
}

def NPUISA_HaltOp : NPUISA_InstOp<"halt"> {
  let summary = "end of an engine's instruction stream";
  let description = [{
    The last instruction of every engine block, and only there. May wait
    (e.g. to drain the last signals) and signal like any instruction.
  }];
  let arguments = NPUISA_SyncFields;
  let assemblyFormat = NPUISA_SyncFormat;

}


def NPUISA_NopOp : NPUISA_InstOp<"nop"> {
  let summary = "only waits and signals (any engine)";
  let description = [{
    `npuisa.nop wait [0] signal [1, 2]`: a pure synchronization point.
  }];
  let arguments = NPUISA_SyncFields;
  let assemblyFormat = NPUISA_SyncFormat;

}

//===----------------------------------------------------------------------===//
// DMA
//===----------------------------------------------------------------------===//

defvar NPUISA_DmaFields = (ins
    NPUISA_Address:$dram_addr, NPUISA_Address:$sram_addr,
    DenseI64ArrayAttr:$extents, DenseI64ArrayAttr:$dram_strides,
    DenseI64ArrayAttr:$sram_strides, TypeAttr:$dram_dtype,
    TypeAttr:$sram_dtype);

def NPUISA_DmaLoadOp : NPUISA_InstOp<"dma_load"> {
  let summary = "DRAM -> SRAM, a 4-D strided box, optional f32 <-> bf16";
  let description = [{
    ```mlir
    npuisa.dma_load dram[0x1000] -> sram[0x0] extents [1, 1, 64, 128]
        dram_strides [0, 0, 128, 1] sram_strides [0, 0, 128, 1] f32 -> bf16
        wait [0] signal [1]
    ```
    Dim 0 is outermost; strides are in elements of each side's dtype and may
    be zero or negative. Runs on the dma_load engine.
  }];
  let arguments = !con(NPUISA_DmaFields, NPUISA_SyncFields);
  let assemblyFormat = !strconcat([{
    `dram` `[` custom<Address>($dram_addr) `]` `->`
    `sram` `[` custom<Address>($sram_addr) `]`
    `extents` $extents `dram_strides` $dram_strides
    `sram_strides` $sram_strides $dram_dtype `->` $sram_dtype
  }], NPUISA_SyncFormat);
}

def NPUISA_DmaStoreOp : NPUISA_InstOp<"dma_store"> {
  let summary = "SRAM -> DRAM, a 4-D strided box, optional f32 <-> bf16";
  let description = [{
    ```mlir
    npuisa.dma_store sram[0x0] -> dram[0x1000] extents [1, 1, 64, 128]
        sram_strides [0, 0, 128, 1] dram_strides [0, 0, 128, 1] bf16 -> f32
    ```
    Runs on the dma_store engine.
  }];
  let arguments = !con(NPUISA_DmaFields, NPUISA_SyncFields);
  let assemblyFormat = !strconcat([{
    `sram` `[` custom<Address>($sram_addr) `]` `->`
    `dram` `[` custom<Address>($dram_addr) `]`
    `extents` $extents `sram_strides` $sram_strides
    `dram_strides` $dram_strides $sram_dtype `->` $dram_dtype
  }], NPUISA_SyncFormat);
}

//===----------------------------------------------------------------------===//
// MXU
//===----------------------------------------------------------------------===//

def NPUISA_MxuLoadWeightsOp : NPUISA_InstOp<"mxu_load_weights"> {
  let summary = "SRAM [k x n] -> the systolic array's weight registers";
  let description = [{
    ```mlir
    npuisa.mxu_load_weights sram[0x8000] k 128 n 128 row_stride 128 bf16
    ```
    With `transpose` the SRAM holds the weights as [n x k]. Runs on the mxu.
  }];
  let arguments = !con((ins NPUISA_Address:$sram_addr,
      ConfinedAttr<I64Attr, [IntNonNegative]>:$k,
      ConfinedAttr<I64Attr, [IntNonNegative]>:$n,
      ConfinedAttr<I64Attr, [IntNonNegative]>:$row_stride,
      TypeAttr:$mxu_dtype, UnitAttr:$transpose), NPUISA_SyncFields);
  let assemblyFormat = !strconcat([{
    `sram` `[` custom<Address>($sram_addr) `]` `k` $k `n` $n
    `row_stride` $row_stride $mxu_dtype (`transpose` $transpose^)?
  }], NPUISA_SyncFormat);
}

def NPUISA_MxuMatmulOp : NPUISA_InstOp<"mxu_matmul"> {
  let summary = "SRAM [m x k] x loaded weights -> ACC [m x n]";
  let description = [{
    ```mlir
    npuisa.mxu_matmul sram[0x0] -> acc[0x0] m 64 k 128 n 128 row_stride 128
        acc_row_stride 128 bf16 accumulate
    ```
    Accumulates in fp32 (int32 for i8); `accumulate` adds into the
    accumulator instead of overwriting it. Runs on the mxu.
  }];
  let arguments = !con((ins NPUISA_Address:$sram_addr,
      NPUISA_Address:$acc_addr,
      ConfinedAttr<I64Attr, [IntNonNegative]>:$m,
      ConfinedAttr<I64Attr, [IntNonNegative]>:$k,
      ConfinedAttr<I64Attr, [IntNonNegative]>:$n,
      ConfinedAttr<I64Attr, [IntNonNegative]>:$row_stride,
      ConfinedAttr<I64Attr, [IntNonNegative]>:$acc_row_stride,
      TypeAttr:$mxu_dtype, UnitAttr:$accumulate), NPUISA_SyncFields);
  let assemblyFormat = !strconcat([{
    `sram` `[` custom<Address>($sram_addr) `]` `->`
    `acc` `[` custom<Address>($acc_addr) `]` `m` $m `k` $k `n` $n
    `row_stride` $row_stride `acc_row_stride` $acc_row_stride $mxu_dtype
    (`accumulate` $accumulate^)?
  }], NPUISA_SyncFormat);
}

//===----------------------------------------------------------------------===//
// VPU
//===----------------------------------------------------------------------===//

defvar NPUISA_Shape = (ins ConfinedAttr<I64Attr, [IntNonNegative]>:$rows,
                           ConfinedAttr<I64Attr, [IntNonNegative]>:$cols);
defvar NPUISA_ShapeFormat = "`rows` $rows `cols` $cols";

def NPUISA_VpuBinaryOp : NPUISA_InstOp<"vpu_binary"> {
  let summary = "dst = func(src0, src1 | broadcast src1 | scalar imm0)";
  let description = [{
    ```mlir
    npuisa.vpu_binary add rows 64 cols 128 dst sram[0x200] f32 stride 128
        src0 sram[0x0] f32 stride 128 src1 sram[0x100] f32 stride 0
        broadcast row
    ```
    `broadcast scalar` takes `imm0` instead of src1.
  }];
  let arguments = !con((ins NPUISA_VpuFuncAttr:$func), NPUISA_Shape,
      (ins NPUISA_OperandAttr:$dst, NPUISA_OperandAttr:$src0,
           OptionalAttr<NPUISA_OperandAttr>:$src1,
           NPUISA_BroadcastAttr:$broadcast, OptionalAttr<F32Attr>:$imm0),
      NPUISA_SyncFields);
  let assemblyFormat = !strconcat("$func ", NPUISA_ShapeFormat, [{
    `dst` custom<Operand>($dst) `src0` custom<Operand>($src0)
    (`src1` custom<Operand>($src1)^)? `broadcast` $broadcast
    (`imm0` $imm0^)?
  }], NPUISA_SyncFormat);
}

def NPUISA_VpuUnaryOp : NPUISA_InstOp<"vpu_unary"> {
  let summary = "dst = func(src0) (activations, math functions, copy)";
  let description = [{
    ```mlir
    npuisa.vpu_unary relu rows 64 cols 128 dst sram[0x200] f32 stride 128
        src0 sram[0x200] f32 stride 128
    ```
    `leaky_relu` takes its slope in imm0, `clip` its bounds in imm0/imm1.
  }];
  let arguments = !con((ins NPUISA_VpuFuncAttr:$func), NPUISA_Shape,
      (ins NPUISA_OperandAttr:$dst, NPUISA_OperandAttr:$src0,
           OptionalAttr<F32Attr>:$imm0, OptionalAttr<F32Attr>:$imm1),
      NPUISA_SyncFields);
  let assemblyFormat = !strconcat("$func ", NPUISA_ShapeFormat, [{
    `dst` custom<Operand>($dst) `src0` custom<Operand>($src0)
    (`imm0` $imm0^)? (`imm1` $imm1^)?
  }], NPUISA_SyncFormat);
}

def NPUISA_VpuReduceOp : NPUISA_InstOp<"vpu_reduce"> {
  let summary = "dst = reduce(src0) over the columns or the rows";
  let description = [{
    ```mlir
    npuisa.vpu_reduce max over cols rows 64 cols 128
        dst sram[0x400] f32 stride 1 src0 sram[0x0] f32 stride 128
    ```
    `over cols` gives a [rows x 1] result, `over rows` a [1 x cols] one;
    `accumulate` combines with the current dst values.
  }];
  let arguments = !con((ins NPUISA_VpuFuncAttr:$func,
                            NPUISA_ReduceDimAttr:$reduce_dim), NPUISA_Shape,
      (ins NPUISA_OperandAttr:$dst, NPUISA_OperandAttr:$src0,
           UnitAttr:$accumulate),
      NPUISA_SyncFields);
  let assemblyFormat = !strconcat("$func `over` $reduce_dim ", NPUISA_ShapeFormat, [{
    `dst` custom<Operand>($dst) `src0` custom<Operand>($src0)
    (`accumulate` $accumulate^)?
  }], NPUISA_SyncFormat);
}

def NPUISA_VpuBroadcastOp : NPUISA_InstOp<"vpu_broadcast"> {
  let summary = "dst = a row vector, a column vector or the scalar imm0";
  let description = [{
    ```mlir
    npuisa.vpu_broadcast scalar rows 64 cols 128
        dst sram[0x0] f32 stride 128 imm0 0.0
    ```
  }];
  let arguments = !con((ins NPUISA_BroadcastAttr:$broadcast), NPUISA_Shape,
      (ins NPUISA_OperandAttr:$dst, OptionalAttr<NPUISA_OperandAttr>:$src0,
           OptionalAttr<F32Attr>:$imm0),
      NPUISA_SyncFields);
  let assemblyFormat = !strconcat("$broadcast ", NPUISA_ShapeFormat, [{
    `dst` custom<Operand>($dst) (`src0` custom<Operand>($src0)^)?
    (`imm0` $imm0^)?
  }], NPUISA_SyncFormat);
}

def NPUISA_VpuCastOp : NPUISA_InstOp<"vpu_cast"> {
  let summary = "dst = convert(src0): rounding, int8 (re)quantization";
  let description = [{
    ```mlir
    npuisa.vpu_cast rows 64 cols 128 dst sram[0x0] i8 stride 128
        src0 acc[0x0] i32 stride 128 scale 0.05 zero_point 3
    npuisa.vpu_cast rows 4 cols 8 dst sram[0x100] i32 stride 8
        src0 sram[0x0] f32 stride 8 rounding floor
    ```
    The conversion is given by the operand dtypes; `scale` and `zero_point`
    parameterize int8 quantization, `rounding` (the `func` field: trunc,
    floor, ceil or round_even) a float -> i32 conversion (docs/isa.md).
  }];
  let arguments = !con(NPUISA_Shape,
      (ins NPUISA_OperandAttr:$dst, NPUISA_OperandAttr:$src0,
           OptionalAttr<F32Attr>:$scale, OptionalAttr<I32Attr>:$zero_point,
           OptionalAttr<NPUISA_VpuFuncAttr>:$rounding),
      NPUISA_SyncFields);
  let assemblyFormat = !strconcat(NPUISA_ShapeFormat, [{
    `dst` custom<Operand>($dst) `src0` custom<Operand>($src0)
    (`scale` $scale^)? (`zero_point` $zero_point^)?
    (`rounding` $rounding^)?
  }], NPUISA_SyncFormat);
}

def NPUISA_VpuSelectOp : NPUISA_InstOp<"vpu_select"> {
  let summary = "dst = src0 != 0 ? src1 : src2";
  let description = [{
    ```mlir
    npuisa.vpu_select rows 4 cols 32 dst sram[0x0] f32 stride 32
        src0 sram[0x200] f32 stride 32 src1 sram[0x400] f32 stride 32
        src2 sram[0x600] f32 stride 32
    ```
  }];
  let arguments = !con(NPUISA_Shape,
      (ins NPUISA_OperandAttr:$dst, NPUISA_OperandAttr:$src0,
           NPUISA_OperandAttr:$src1, NPUISA_OperandAttr:$src2),
      NPUISA_SyncFields);
  let assemblyFormat = !strconcat(NPUISA_ShapeFormat, [{
    `dst` custom<Operand>($dst) `src0` custom<Operand>($src0)
    `src1` custom<Operand>($src1) `src2` custom<Operand>($src2)
  }], NPUISA_SyncFormat);
}

def NPUISA_VpuEpilogueOp : NPUISA_InstOp<"vpu_epilogue"> {
  let summary = "ACC -> SRAM: + bias row, activation, output dtype";
  let description = [{
    ```mlir
    npuisa.vpu_epilogue relu rows 64 cols 128 dst sram[0x0] bf16 stride 128
        src0 acc[0x0] f32 stride 128 bias sram[0x4000] f32 stride 0
    ```
    `bias` (src1) is a [1 x cols] row vector; the function is `none` or a
    unary one; int8 outputs use `scale` / `zero_point`.
  }];
  let arguments = !con((ins NPUISA_VpuFuncAttr:$func), NPUISA_Shape,
      (ins NPUISA_OperandAttr:$dst, NPUISA_OperandAttr:$src0,
           OptionalAttr<NPUISA_OperandAttr>:$bias,
           OptionalAttr<F32Attr>:$imm0, OptionalAttr<F32Attr>:$imm1,
           OptionalAttr<F32Attr>:$scale, OptionalAttr<I32Attr>:$zero_point),
      NPUISA_SyncFields);
  let assemblyFormat = !strconcat("$func ", NPUISA_ShapeFormat, [{
    `dst` custom<Operand>($dst) `src0` custom<Operand>($src0)
    (`bias` custom<Operand>($bias)^)? (`imm0` $imm0^)? (`imm1` $imm1^)?
    (`scale` $scale^)? (`zero_point` $zero_point^)?
  }], NPUISA_SyncFormat);
}

#endif // NPU_DIALECT_NPUISA_IR_NPUISAOPS_TD
