"""Software prefetch of matrix rows.

Sampling losses touch output rows at random (the target and its noise words), and
waiting for each row from memory cost more than the arithmetic on it: a random 100-float
row read took 199 ns, 63 ns when asked for a few rows ahead (measured here). The drivers
therefore name the next example's rows while the current one computes. Numba has no
prefetch, so this emits LLVM's ``llvm.prefetch`` for each 64-byte line of the row.
"""

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

CACHE_LINE = 64


@intrinsic
def prefetch_row(typingctx, matrix, row):
    """Start loading row ``row`` of a 2-D array into the cache; no effect on results."""
    if not (isinstance(matrix, types.Array) and matrix.ndim == 2 and isinstance(row, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        array_type = signature.args[0]
        array = context.make_array(array_type)(context, builder, args[0])
        zero = context.get_constant(types.intp, 0)
        index = context.cast(builder, args[1], signature.args[1], types.intp)
        shape = cgutils.unpack_tuple(builder, array.shape)
        strides = cgutils.unpack_tuple(builder, array.strides)
        start = cgutils.get_item_pointer2(context, builder, array.data, shape, strides, array_type.layout, [index, zero])
        byte_pointer = ir.IntType(8).as_pointer()
        signature_type = ir.FunctionType(ir.VoidType(), [byte_pointer] + [ir.IntType(32)] * 3)
        prefetch = cgutils.get_or_insert_function(builder.module, signature_type, "llvm.prefetch.p0i8")
        base = builder.bitcast(start, byte_pointer)
        size = builder.mul(shape[1], context.get_constant(types.intp, array_type.dtype.bitwidth // 8))
        step = context.get_constant(types.intp, CACHE_LINE)
        read, keep_in_all_levels, data = (ir.Constant(ir.IntType(32), v) for v in (0, 3, 1))
        with cgutils.for_range_slice(builder, zero, size, step) as (offset, _):
            builder.call(prefetch, [builder.gep(base, [offset]), read, keep_in_all_levels, data])
        return context.get_dummy_value()

    return types.void(matrix, row), codegen
