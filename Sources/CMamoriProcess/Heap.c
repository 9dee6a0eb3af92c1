// glibc's view of the heap, for giving memory back after a flood: Swift's Glibc module does not
// export <malloc.h>'s mallinfo2() and malloc_trim().
#include <malloc.h>
#include "CMamoriProcess.h"

size_t CMamoriProcess_heapFreeBytes(void) {
    struct mallinfo2 info = mallinfo2();
    return info.fordblks;
}

int CMamoriProcess_heapTrim(void) { return malloc_trim(0); }
