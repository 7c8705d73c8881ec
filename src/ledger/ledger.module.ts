import { Global, Module } from '@nestjs/common';
import { MEMBER_PROFILE_SINK } from '../auth/member-profile-sink';
import { OfferCommands } from '../catalog/offers/offer-commands.service';
import { OffersController } from '../catalog/offers/offers.controller';
import { Aggregates } from './application/aggregates';
import { ExchangeProfileSink } from './members/exchange-profile-sink';
import { MemberCommands } from './members/member.commands';
import { MembersController } from './members/members.controller';
import { RedemptionCommands } from './redemptions/redemption.commands';
import { RedemptionsController } from './redemptions/redemptions.controller';

/** The command side: members and their wallets, redemptions, the offer catalog. */
@Global()
@Module({
  controllers: [MembersController, RedemptionsController, OffersController],
  providers: [
    Aggregates,
    MemberCommands,
    RedemptionCommands,
    OfferCommands,
    { provide: MEMBER_PROFILE_SINK, useClass: ExchangeProfileSink },
  ],
  exports: [Aggregates, RedemptionCommands, MEMBER_PROFILE_SINK],
})
export class LedgerModule {}
