/* sphere-sdk: the preprocessor helpers the Azure IoT C SDK's headers and apps use (azure-macro-utils-c's
   public names: MU_DEFINE_ENUM*, MU_ENUM_TO_STRING, MU_FOR_EACH_1, MU_COUNT_ARG ...), for up to 64 values. */
#pragma once

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define MU_TOSTRING_(x) #x
#define MU_TOSTRING(x) MU_TOSTRING_(x)
#define MU_C2_(a, b) a##b
#define MU_C2(a, b) MU_C2_(a, b)
#define MU_C3(a, b, c) MU_C2(MU_C2(a, b), c)
#define MU_EXPAND(x) x
#define MU_NOEXPAND(x) x
#define MU_UNUSED_VAR(x) (void)(x)

#define MU_COUNT_ARG_(_1,_2,_3,_4,_5,_6,_7,_8,_9,_10,_11,_12,_13,_14,_15,_16,_17,_18,_19,_20,_21,_22,_23,_24,_25,_26,_27,_28,_29,_30,_31,_32,_33,_34,_35,_36,_37,_38,_39,_40,_41,_42,_43,_44,_45,_46,_47,_48,_49,_50,_51,_52,_53,_54,_55,_56,_57,_58,_59,_60,_61,_62,_63,_64, N, ...) N
#define MU_COUNT_ARG(...) MU_COUNT_ARG_(__VA_ARGS__, 64,63,62,61,60,59,58,57,56,55,54,53,52,51,50,49,48,47,46,45,44,43,42,41,40,39,38,37,36,35,34,33,32,31,30,29,28,27,26,25,24,23,22,21,20,19,18,17,16,15,14,13,12,11,10,9,8,7,6,5,4,3,2,1)

#define MU_FE_1(X, a) X(a)
#define MU_FE_2(X, a, ...) X(a) MU_FE_1(X, __VA_ARGS__)
#define MU_FE_3(X, a, ...) X(a) MU_FE_2(X, __VA_ARGS__)
#define MU_FE_4(X, a, ...) X(a) MU_FE_3(X, __VA_ARGS__)
#define MU_FE_5(X, a, ...) X(a) MU_FE_4(X, __VA_ARGS__)
#define MU_FE_6(X, a, ...) X(a) MU_FE_5(X, __VA_ARGS__)
#define MU_FE_7(X, a, ...) X(a) MU_FE_6(X, __VA_ARGS__)
#define MU_FE_8(X, a, ...) X(a) MU_FE_7(X, __VA_ARGS__)
#define MU_FE_9(X, a, ...) X(a) MU_FE_8(X, __VA_ARGS__)
#define MU_FE_10(X, a, ...) X(a) MU_FE_9(X, __VA_ARGS__)
#define MU_FE_11(X, a, ...) X(a) MU_FE_10(X, __VA_ARGS__)
#define MU_FE_12(X, a, ...) X(a) MU_FE_11(X, __VA_ARGS__)
#define MU_FE_13(X, a, ...) X(a) MU_FE_12(X, __VA_ARGS__)
#define MU_FE_14(X, a, ...) X(a) MU_FE_13(X, __VA_ARGS__)
#define MU_FE_15(X, a, ...) X(a) MU_FE_14(X, __VA_ARGS__)
#define MU_FE_16(X, a, ...) X(a) MU_FE_15(X, __VA_ARGS__)
#define MU_FE_17(X, a, ...) X(a) MU_FE_16(X, __VA_ARGS__)
#define MU_FE_18(X, a, ...) X(a) MU_FE_17(X, __VA_ARGS__)
#define MU_FE_19(X, a, ...) X(a) MU_FE_18(X, __VA_ARGS__)
#define MU_FE_20(X, a, ...) X(a) MU_FE_19(X, __VA_ARGS__)
#define MU_FE_21(X, a, ...) X(a) MU_FE_20(X, __VA_ARGS__)
#define MU_FE_22(X, a, ...) X(a) MU_FE_21(X, __VA_ARGS__)
#define MU_FE_23(X, a, ...) X(a) MU_FE_22(X, __VA_ARGS__)
#define MU_FE_24(X, a, ...) X(a) MU_FE_23(X, __VA_ARGS__)
#define MU_FE_25(X, a, ...) X(a) MU_FE_24(X, __VA_ARGS__)
#define MU_FE_26(X, a, ...) X(a) MU_FE_25(X, __VA_ARGS__)
#define MU_FE_27(X, a, ...) X(a) MU_FE_26(X, __VA_ARGS__)
#define MU_FE_28(X, a, ...) X(a) MU_FE_27(X, __VA_ARGS__)
#define MU_FE_29(X, a, ...) X(a) MU_FE_28(X, __VA_ARGS__)
#define MU_FE_30(X, a, ...) X(a) MU_FE_29(X, __VA_ARGS__)
#define MU_FE_31(X, a, ...) X(a) MU_FE_30(X, __VA_ARGS__)
#define MU_FE_32(X, a, ...) X(a) MU_FE_31(X, __VA_ARGS__)
#define MU_FE_33(X, a, ...) X(a) MU_FE_32(X, __VA_ARGS__)
#define MU_FE_34(X, a, ...) X(a) MU_FE_33(X, __VA_ARGS__)
#define MU_FE_35(X, a, ...) X(a) MU_FE_34(X, __VA_ARGS__)
#define MU_FE_36(X, a, ...) X(a) MU_FE_35(X, __VA_ARGS__)
#define MU_FE_37(X, a, ...) X(a) MU_FE_36(X, __VA_ARGS__)
#define MU_FE_38(X, a, ...) X(a) MU_FE_37(X, __VA_ARGS__)
#define MU_FE_39(X, a, ...) X(a) MU_FE_38(X, __VA_ARGS__)
#define MU_FE_40(X, a, ...) X(a) MU_FE_39(X, __VA_ARGS__)
#define MU_FE_41(X, a, ...) X(a) MU_FE_40(X, __VA_ARGS__)
#define MU_FE_42(X, a, ...) X(a) MU_FE_41(X, __VA_ARGS__)
#define MU_FE_43(X, a, ...) X(a) MU_FE_42(X, __VA_ARGS__)
#define MU_FE_44(X, a, ...) X(a) MU_FE_43(X, __VA_ARGS__)
#define MU_FE_45(X, a, ...) X(a) MU_FE_44(X, __VA_ARGS__)
#define MU_FE_46(X, a, ...) X(a) MU_FE_45(X, __VA_ARGS__)
#define MU_FE_47(X, a, ...) X(a) MU_FE_46(X, __VA_ARGS__)
#define MU_FE_48(X, a, ...) X(a) MU_FE_47(X, __VA_ARGS__)
#define MU_FE_49(X, a, ...) X(a) MU_FE_48(X, __VA_ARGS__)
#define MU_FE_50(X, a, ...) X(a) MU_FE_49(X, __VA_ARGS__)
#define MU_FE_51(X, a, ...) X(a) MU_FE_50(X, __VA_ARGS__)
#define MU_FE_52(X, a, ...) X(a) MU_FE_51(X, __VA_ARGS__)
#define MU_FE_53(X, a, ...) X(a) MU_FE_52(X, __VA_ARGS__)
#define MU_FE_54(X, a, ...) X(a) MU_FE_53(X, __VA_ARGS__)
#define MU_FE_55(X, a, ...) X(a) MU_FE_54(X, __VA_ARGS__)
#define MU_FE_56(X, a, ...) X(a) MU_FE_55(X, __VA_ARGS__)
#define MU_FE_57(X, a, ...) X(a) MU_FE_56(X, __VA_ARGS__)
#define MU_FE_58(X, a, ...) X(a) MU_FE_57(X, __VA_ARGS__)
#define MU_FE_59(X, a, ...) X(a) MU_FE_58(X, __VA_ARGS__)
#define MU_FE_60(X, a, ...) X(a) MU_FE_59(X, __VA_ARGS__)
#define MU_FE_61(X, a, ...) X(a) MU_FE_60(X, __VA_ARGS__)
#define MU_FE_62(X, a, ...) X(a) MU_FE_61(X, __VA_ARGS__)
#define MU_FE_63(X, a, ...) X(a) MU_FE_62(X, __VA_ARGS__)
#define MU_FE_64(X, a, ...) X(a) MU_FE_63(X, __VA_ARGS__)
#define MU_FOR_EACH_1(X, ...) MU_C2(MU_FE_, MU_COUNT_ARG(__VA_ARGS__))(X, __VA_ARGS__)

#define MU_DEFINE_ENUMERATION_CONSTANT(x) x,
#define MU_DEFINE_ENUMERATION_CONSTANT_AS_STRING(x) MU_TOSTRING(x),

/* An enum whose values count from 0 in the order given. */
#define MU_DEFINE_ENUM_WITHOUT_INVALID(enumName, ...) \
    typedef enum MU_C2(enumName, _TAG) { MU_FOR_EACH_1(MU_DEFINE_ENUMERATION_CONSTANT, __VA_ARGS__) } enumName;
#define MU_DEFINE_ENUM(enumName, ...) MU_DEFINE_ENUM_WITHOUT_INVALID(enumName, __VA_ARGS__)

#define MU_DECLARE_ENUM_STRINGS(enumName, ...) const char *MU_C2(enumName, Strings)(enumName value);

/* `const char *<enumName>Strings(enumName value)`: a value's name, "NULL" for a value outside the enum. */
#define MU_DEFINE_ENUM_STRINGS_WITHOUT_INVALID(enumName, ...)                                            \
    static const char *const MU_C2(enumName, _StringStorage)[] = {                                      \
        MU_FOR_EACH_1(MU_DEFINE_ENUMERATION_CONSTANT_AS_STRING, __VA_ARGS__)};                          \
    const char *MU_C2(enumName, Strings)(enumName value)                                               \
    {                                                                                                   \
        size_t i = (size_t)value;                                                                       \
        return i < sizeof MU_C2(enumName, _StringStorage) / sizeof MU_C2(enumName, _StringStorage)[0]  \
                   ? MU_C2(enumName, _StringStorage)[i]                                                 \
                   : "NULL";                                                                            \
    }
#define MU_DEFINE_ENUM_STRINGS(enumName, ...) MU_DEFINE_ENUM_STRINGS_WITHOUT_INVALID(enumName, __VA_ARGS__)

#define MU_ENUM_TO_STRING(enumName, enumValue) MU_C2(enumName, Strings)(enumValue)
