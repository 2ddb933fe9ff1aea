// Debug support (DBGMCU) of the STM32G4 series at 0xE0042000 (RM0440 register map).
//
// Renode has no DBGMCU model. Firmware reads IDCODE to identify the part (STM32G47x/48x: DEV_ID
// 0x469, the revision measured on the NUCLEO-G474RE gives 0x10036469), and Zephyr sets CR
// DBG_SLEEP/DBG_STOP (CONFIG_STM32_ENABLE_DEBUG_SLEEP_STOP) so a debugger keeps working in low-power
// modes. The freeze registers stop timers and watchdogs while a debugger halts the core; there is no
// such halt here, so they are storage.
using Antmicro.Renode.Core;
using Antmicro.Renode.Core.Structure.Registers;
using Antmicro.Renode.Peripherals.Bus;

namespace Antmicro.Renode.Peripherals.Tandem
{
    [AllowedTranslations(AllowedTranslation.ByteToDoubleWord | AllowedTranslation.WordToDoubleWord)]
    public sealed class STM32G4_DBGMCU : BasicDoubleWordPeripheral, IKnownSize
    {
        public STM32G4_DBGMCU(IMachine machine, uint idCode = 0x10036469) : base(machine)
        {
            Registers.IdCode.Define(this, idCode, name: "DBGMCU_IDCODE")
                .WithValueField(0, 12, FieldMode.Read, name: "DEV_ID")
                .WithReservedBits(12, 4)
                .WithValueField(16, 16, FieldMode.Read, name: "REV_ID");

            Registers.Control.Define(this, name: "DBGMCU_CR")
                .WithFlag(0, name: "DBG_SLEEP")
                .WithFlag(1, name: "DBG_STOP")
                .WithFlag(2, name: "DBG_STANDBY")
                .WithReservedBits(3, 2)
                .WithFlag(5, name: "TRACE_IOEN")
                .WithValueField(6, 2, name: "TRACE_MODE")
                .WithReservedBits(8, 24);

            Registers.Apb1Freeze1.Define(this, name: "DBGMCU_APB1FZR1").WithValueField(0, 32, name: "APB1FZR1");
            Registers.Apb1Freeze2.Define(this, name: "DBGMCU_APB1FZR2").WithValueField(0, 32, name: "APB1FZR2");
            Registers.Apb2Freeze.Define(this, name: "DBGMCU_APB2FZR").WithValueField(0, 32, name: "APB2FZR");
            Reset();
        }

        public long Size => 0x400;

        private enum Registers
        {
            IdCode = 0x00,
            Control = 0x04,
            Apb1Freeze1 = 0x08,
            Apb1Freeze2 = 0x0C,
            Apb2Freeze = 0x10,
        }
    }
}
