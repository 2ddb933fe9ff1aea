// Power control (PWR) of the STM32G4 series (RM0440 register map).
//
// The stock STM32_PWR model has the F4 layout: on a G4 its CR reads back voltage scaling "range 2",
// so clock code picks the wrong flash latency and logs warnings. This model has the G4 registers
// with their reset values: CR1 0x200 (VOS = range 1), CR3 0x8000 (EIWUL), CR5 0x100 (R1MODE: range 1
// normal mode; Zephyr clears it for the 170 MHz boost mode).
//
// Behaviour: voltage scaling and regulator changes complete at once, so SR2.VOSF reads 0 (the
// "wait until VOSF clears" loop ends) and SR2.REGLPF follows CR1.LPR. SR2 otherwise keeps its
// reset value 0 (REGLPS included: the low-power regulator start-up is not modelled). Wakeup and
// standby flags (SR1) have no source in the emulator and stay 0; SCR clears them all the same.
// Pull-up/pull-down control registers are storage.
using Antmicro.Renode.Core;
using Antmicro.Renode.Core.Structure.Registers;
using Antmicro.Renode.Peripherals.Bus;

namespace Antmicro.Renode.Peripherals.Tandem
{
    [AllowedTranslations(AllowedTranslation.ByteToDoubleWord | AllowedTranslation.WordToDoubleWord)]
    public sealed class STM32G4_PWR : BasicDoubleWordPeripheral, IKnownSize
    {
        public STM32G4_PWR(IMachine machine) : base(machine)
        {
            DefineRegisters();
            Reset();
        }

        public long Size => 0x400;

        /// <summary>Voltage scaling range (1 or 2) and whether range 1 runs in boost mode.</summary>
        public string VoltageRange => $"range {voltageScaling.Value}{(voltageScaling.Value == 1 && !range1Mode.Value ? " boost" : "")}";

        private void DefineRegisters()
        {
            Registers.Control1.Define(this, 0x00000200, name: "PWR_CR1")
                .WithValueField(0, 3, name: "LPMS")
                .WithReservedBits(3, 5)
                .WithFlag(8, name: "DBP")
                .WithValueField(9, 2, out voltageScaling, name: "VOS")
                .WithReservedBits(11, 3)
                .WithFlag(14, out lowPowerRun, name: "LPR")
                .WithReservedBits(15, 17);

            Registers.Control2.Define(this, name: "PWR_CR2")
                .WithFlag(0, name: "PVDE")
                .WithValueField(1, 3, name: "PLS")
                .WithValueField(4, 4, name: "PVMEN")
                .WithReservedBits(8, 24);

            Registers.Control3.Define(this, 0x00008000, name: "PWR_CR3")
                .WithValueField(0, 5, name: "EWUP")
                .WithReservedBits(5, 3)
                .WithFlag(8, name: "RRS")
                .WithReservedBits(9, 1)
                .WithFlag(10, name: "APC")
                .WithReservedBits(11, 2)
                .WithFlag(13, name: "UCPD1_STDBY")
                .WithFlag(14, name: "UCPD1_DBDIS")
                .WithFlag(15, name: "EIWUL")
                .WithReservedBits(16, 16);

            Registers.Control4.Define(this, name: "PWR_CR4")
                .WithValueField(0, 5, name: "WP")
                .WithReservedBits(5, 3)
                .WithFlag(8, name: "VBE")
                .WithFlag(9, name: "VBRS")
                .WithReservedBits(10, 22);

            Registers.Status1.Define(this, name: "PWR_SR1")
                .WithValueField(0, 5, out wakeupFlags, FieldMode.Read, name: "WUF")
                .WithReservedBits(5, 3)
                .WithFlag(8, out standbyFlag, FieldMode.Read, name: "SBF")
                .WithReservedBits(9, 6)
                .WithFlag(15, FieldMode.Read, valueProviderCallback: _ => wakeupFlags.Value != 0, name: "WUFI")
                .WithReservedBits(16, 16);

            Registers.Status2.Define(this, name: "PWR_SR2")
                .WithReservedBits(0, 8)
                .WithFlag(8, FieldMode.Read, valueProviderCallback: _ => false, name: "REGLPS")
                .WithFlag(9, FieldMode.Read, valueProviderCallback: _ => lowPowerRun.Value, name: "REGLPF")
                .WithFlag(10, FieldMode.Read, valueProviderCallback: _ => false, name: "VOSF")
                .WithFlag(11, FieldMode.Read, valueProviderCallback: _ => false, name: "PVDO")
                .WithValueField(12, 4, FieldMode.Read, valueProviderCallback: _ => 0, name: "PVMO")
                .WithReservedBits(16, 16);

            Registers.StatusClear.Define(this, name: "PWR_SCR")
                .WithValueField(0, 5, FieldMode.Write, writeCallback: (_, value) => wakeupFlags.Value &= ~value, name: "CWUF")
                .WithReservedBits(5, 3)
                .WithFlag(8, FieldMode.Write, writeCallback: (_, value) =>
                {
                    if(value)
                    {
                        standbyFlag.Value = false;
                    }
                }, name: "CSBF")
                .WithReservedBits(9, 23);

            // PUCRA/PDCRA .. PUCRG/PDCRG: pull configuration applied in Standby/Shutdown; storage.
            Registers.PullUpA.DefineMany(this, 14, (register, index) => register.WithValueField(0, 16, name: $"PxCR{index}").WithReservedBits(16, 16), name: "PWR_PUCR_PDCR");

            Registers.Control5.Define(this, 0x00000100, name: "PWR_CR5")
                .WithReservedBits(0, 8)
                .WithFlag(8, out range1Mode, name: "R1MODE")
                .WithReservedBits(9, 23);
        }

        private IValueRegisterField voltageScaling;
        private IFlagRegisterField lowPowerRun;
        private IValueRegisterField wakeupFlags;
        private IFlagRegisterField standbyFlag;
        private IFlagRegisterField range1Mode;

        private enum Registers
        {
            Control1 = 0x00,
            Control2 = 0x04,
            Control3 = 0x08,
            Control4 = 0x0C,
            Status1 = 0x10,
            Status2 = 0x14,
            StatusClear = 0x18,
            PullUpA = 0x20,
            Control5 = 0x80,
        }
    }
}
