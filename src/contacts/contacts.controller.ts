import { Body, Controller, Get, Header, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor } from '../common/auth/actor';
import { ApiProblems } from '../common/http/api-problems';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { MACHINE_CODE_PIPE } from '../common/validation/machine-code.pipe';
import { UUID_PIPE } from '../common/validation/uuid.pipe';
import { ContactsService } from './contacts.service';
import {
  ContactPageResponseDto,
  ContactQueryDto,
  ContactResponseDto,
  CreateContactDto,
  UpdateContactDto,
} from './dto/contact.dto';
import {
  ContactEventPageResponseDto,
  CreateTenureDto,
  DepartureDto,
  TurnoverQueryDto,
  TurnoverResponseDto,
  VerifyContactDto,
} from './dto/turnover.dto';
import { buildVcard } from './vcard';

@ApiTags('contacts')
@Controller('v1')
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  /**
   * Contacts you may see. With `best=true` (and `platform`, `country`, `language`): whom to
   * write to now, active and recently verified first.
   */
  @Get('contacts')
  @ApiProblems(400, 401)
  list(
    @CurrentActor() actor: Actor,
    @Query() query: ContactQueryDto,
  ): Promise<ContactPageResponseDto> {
    return this.contacts.list(actor, query);
  }

  /** Records a platform contact, owned by your organisation (default TLP GREEN). */
  @Post('contacts')
  @ApiProblems(400, 401, 403, 413, 415)
  create(@CurrentActor() actor: Actor, @Body() dto: CreateContactDto): Promise<ContactResponseDto> {
    return this.contacts.create(actor, dto);
  }

  /** The contact with every address, tenures in order and the successor chain. */
  @Get('contacts/:id')
  @ApiProblems(400, 401, 404)
  get(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
  ): Promise<ContactResponseDto> {
    return this.contacts.get(actor, id);
  }

  /** Changes details; every change is kept in the contact's history. */
  @Patch('contacts/:id')
  @ApiProblems(400, 401, 403, 404, 409, 413, 415)
  update(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Body() dto: UpdateContactDto,
  ): Promise<ContactResponseDto> {
    return this.contacts.update(actor, id, dto);
  }

  /** A contact's history: changes, tenures, departures and verifications, newest first. */
  @Get('contacts/:id/history')
  @ApiProblems(400, 401, 404)
  history(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Query() query: ListQueryDto,
  ): Promise<ContactEventPageResponseDto> {
    return this.contacts.history(actor, id, query);
  }

  /** Records a period the contact held a role at the platform. */
  @Post('contacts/:id/tenures')
  @ApiProblems(400, 401, 403, 404, 409, 413, 415)
  addTenure(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Body() dto: CreateTenureDto,
  ): Promise<ContactResponseDto> {
    return this.contacts.addTenure(actor, id, dto);
  }

  /** The contact left the platform: closes the tenure, links the successor, keeps the old addresses as history. */
  @Post('contacts/:id/departure')
  @ApiProblems(400, 401, 403, 404, 409, 413, 415)
  depart(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Body() dto: DepartureDto,
  ): Promise<ContactResponseDto> {
    return this.contacts.depart(actor, id, dto);
  }

  /** Confirms the details are still right today. */
  @Post('contacts/:id/verify')
  @ApiProblems(400, 401, 403, 404, 409, 413, 415)
  verify(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Body() dto: VerifyContactDto,
  ): Promise<ContactResponseDto> {
    return this.contacts.verify(actor, id, dto);
  }

  /** The current details as a vCard 4.0 (RFC 6350). */
  @Get('contacts/:id/vcard')
  @Header('content-type', 'text/vcard; charset=utf-8')
  @Header('cache-control', 'no-store')
  @ApiProduces('text/vcard')
  @ApiProblems(400, 401, 404)
  async vcard(@CurrentActor() actor: Actor, @Param('id', UUID_PIPE) id: string): Promise<string> {
    const { contact, channels, tenure, platformName } = await this.contacts.forVcard(actor, id);
    const values = (kind: string) => channels.filter((c) => c.kind === kind).map((c) => c.value);
    return buildVcard({
      id: contact.id,
      fullName: contact.fullName,
      organization: platformName,
      title: tenure?.title,
      emails: values('email'),
      phones: values('phone'),
      signals: values('signal'),
      languages: contact.languages,
      revision: contact.updatedAt,
    });
  }

  /** Turnover of a platform's contacts in a period (counted over the contacts you may see). */
  @Get('platforms/:code/turnover')
  @ApiProblems(400, 401, 404)
  turnover(
    @CurrentActor() actor: Actor,
    @Param('code', MACHINE_CODE_PIPE) code: string,
    @Query() query: TurnoverQueryDto,
  ): Promise<TurnoverResponseDto> {
    return this.contacts.turnover(actor, code, query);
  }
}
