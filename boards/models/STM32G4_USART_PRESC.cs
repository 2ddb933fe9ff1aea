// The PRESC register (offset 0x2C) that the STM32G4's USARTs and LPUART have beyond the STM32F7
// register map Renode's STM32F7_USART models (RM0440 37.8.12 / 38.7.12: PRESCALER in bits 3:0,
// reset 0, "input clock not divided").
//
// Zephyr 4.x's uart_stm32 driver writes it at boot; registered at 0x2C of each U(S)ART (the stock
// model is registered for 0x00-0x2B only, see nucleo_g474re.repl), it reads back what was
// written. The stock model's baud-rate arithmetic does not see the prescaler: firmware that
// divides the kernel clock here gets the divider stored, not applied (Zephyr writes 0).
using Antmicro.Renode.Core;
using Antmicro.Renode.Core.Structure.Registers;
using Antmicro.Renode.Peripherals.Bus;

namespace Antmicro.Renode.Peripherals.Tandem
{
    [AllowedTranslations(AllowedTranslation.ByteToDoubleWord | AllowedTranslation.WordToDoubleWord)]
    public sealed class STM32G4_USART_PRESC : BasicDoubleWordPeripheral, IKnownSize
    {
        public STM32G4_USART_PRESC(IMachine machine) : base(machine)
        {
            Registers.Prescaler.Define(this, name: "USART_PRESC")
                .WithValueField(0, 4, name: "PRESCALER")
                .WithReservedBits(4, 28);
            Reset();
        }

        public long Size => 0x4;

        private enum Registers
        {
            Prescaler = 0x0,
        }
    }
}
