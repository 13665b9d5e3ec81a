/*
 * A test shim for wine 8.0, which lacks bcryptprimitives.dll: Rust's
 * standard library on Windows asks it for ProcessPrng (random bytes). This
 * DLL gives ProcessPrng by calling RtlGenRandom (advapi32's
 * SystemFunction036), which wine has. It is copied into the test wine
 * prefix only; a real Windows has the real DLL (Windows 10 and later).
 */
#include <windows.h>

typedef BOOLEAN(WINAPI *rtl_gen_random)(PVOID, ULONG);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    static rtl_gen_random gen;
    if (!gen) {
        HMODULE advapi = LoadLibraryA("advapi32.dll");
        if (!advapi)
            return FALSE;
        gen = (rtl_gen_random)(void *)GetProcAddress(advapi, "SystemFunction036");
        if (!gen)
            return FALSE;
    }
    while (len > 0) {
        ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!gen(data, n))
            return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
