#include <hdf5.h>

/* HDF5 exposes its type and property-list identifiers as macros that call H5open();
   Swift cannot import those, so these getters return them. */
static inline hid_t doe_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t doe_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t doe_h5t_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t doe_h5t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t doe_h5t_c_s1(void) { return H5T_C_S1; }
static inline hid_t doe_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t doe_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t doe_h5s_all(void) { return H5S_ALL; }
static inline unsigned doe_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned doe_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned doe_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline void doe_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
static inline hid_t doe_h5s_select_rows(hid_t space, unsigned long long first, unsigned long long count, unsigned long long columns) {
    hsize_t start[2] = {first, 0};
    hsize_t block[2] = {count, columns};
    return H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, block, NULL);
}
static inline hid_t doe_h5p_file_access(void) { return H5P_FILE_ACCESS; }
