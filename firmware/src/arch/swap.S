/* Context switch and exception entry stubs: the parts that must know exactly what is on the
 * stack, so they are in assembly rather than left to the compiler. */

    .syntax unified
    .thumb
    .text

/* void z_arm_context_switch(uint32_t **save_sp, uint32_t *new_sp)
 * Threads are switched only from thread mode with interrupts locked, so only the
 * callee-saved registers need to survive; the pop into pc resumes the other thread right
 * after its own call to this function (or in its trampoline when it is new). */
    .global z_arm_context_switch
    .type z_arm_context_switch, %function
    .thumb_func
z_arm_context_switch:
    push    {r4-r11, lr}
    mov     r2, sp
    str     r2, [r0]
    mov     sp, r1
    pop     {r4-r11, pc}
    .size z_arm_context_switch, . - z_arm_context_switch

/* void z_arm_enter_main_thread(uint32_t *psp_top, void (*entry)(void))
 * Threads run on PSP and exceptions on MSP, as in Zephyr, so a fault dump always finds the
 * thread's stacked registers on PSP and the interrupt stack never overflows into a thread's.
 * MSP is reset to the top of the interrupt stack, dropping the reset path's frames. */
    .global z_arm_enter_main_thread
    .type z_arm_enter_main_thread, %function
    .thumb_func
z_arm_enter_main_thread:
    msr     psp, r0
    movs    r2, #2              /* CONTROL.SPSEL: thread mode uses PSP */
    msr     control, r2
    isb
    ldr     r2, =_vector_table
    ldr     r2, [r2]
    msr     msp, r2
    bx      r1
    .size z_arm_enter_main_thread, . - z_arm_enter_main_thread

/* Fault-class exceptions: hand the stacked frame (from whichever stack was live when the
 * exception hit, per EXC_RETURN bit 2) and EXC_RETURN to z_arm_fault(). */
    .global z_arm_fault_entry
    .type z_arm_fault_entry, %function
    .thumb_func
z_arm_fault_entry:
    mrs     r0, msp
    tst     lr, #4
    beq     1f
    mrs     r0, psp
1:  mov     r1, lr
    b       z_arm_fault
    .size z_arm_fault_entry, . - z_arm_fault_entry

/* SVC: only "svc #2" (k_oops/k_panic) is used; z_arm_svc_handler decodes the number. */
    .global z_arm_svc
    .type z_arm_svc, %function
    .thumb_func
z_arm_svc:
    mrs     r0, msp
    tst     lr, #4
    beq     1f
    mrs     r0, psp
1:  mov     r1, lr
    b       z_arm_svc_handler
    .size z_arm_svc, . - z_arm_svc

    .ltorg
